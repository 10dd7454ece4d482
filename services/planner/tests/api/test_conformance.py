"""Schemathesis against the planner's OpenAPI document, in process: every phase (the stateful
one along the document's links), and no 5xx, undocumented status, content type or body."""

import asyncio

from planner.main import create_app
from schediora_testkit import conformance, testing
from schediora_testkit.tokens import static_verifier, user_with_token


def test_the_planner_answers_as_its_openapi_document_says(settings, signing_key):
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    user = user_with_token(signing_key)
    try:
        run = conformance.run_asgi(app, headers=user.headers, max_examples=20)
    finally:
        conformance.stop_asgi_apps()
        asyncio.run(
            testing.delete_broker_objects(
                [settings.service_queue, f"{settings.service_queue}.dlq"],
                [settings.events_exchange, f"{settings.service_queue}.dlx"],
            )
        )
    print(f"\nplanner: {run.summary()}")
    # The links (POST /plans -> GET /plans/{id}, POST /subjects -> PATCH and DELETE, generate ->
    # GET /ai/jobs/{id}, ...) give the stateful phase something to follow.
    assert run.links >= 6
    assert run.cases["stateful"] > 0, run.phases
    assert run.statuses[201] > 0  # the token is accepted: subjects and plans get created
    assert not run.failures, run.report()
    assert not run.errors, run.report()
