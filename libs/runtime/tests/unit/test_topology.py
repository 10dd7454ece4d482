"""The queue arguments that make dead-lettering bounded and at-least-once on RabbitMQ 3.10+."""

from schediora_runtime.messaging.topology import Topology


def test_the_service_queue_is_a_quorum_queue_with_an_explicit_delivery_limit():
    arguments = Topology(exchange="schediora.events", queue="planner.events").queue_arguments()

    assert arguments == {
        "x-queue-type": "quorum",
        # No default before RabbitMQ 4.0: without it a poison message loops forever.
        "x-delivery-limit": 5,
        "x-dead-letter-exchange": "planner.events.dlx",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def test_each_service_gets_its_own_dead_letter_exchange_and_queue():
    topology = Topology(exchange="schediora.events", queue="ai.events", delivery_limit=3)

    assert topology.dead_letter_exchange == "ai.events.dlx"
    assert topology.dead_letter_queue == "ai.events.dlq"
    assert topology.queue_arguments()["x-delivery-limit"] == 3
