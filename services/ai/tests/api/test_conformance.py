"""Schemathesis against ai's OpenAPI document, in process: no 5xx, undocumented status,
content type or body, in any phase."""

import asyncio

from ai.main import create_app
from schediora_testkit import conformance, testing
from schediora_testkit.tokens import static_verifier, user_with_token


def test_ai_answers_as_its_openapi_document_says(settings, signing_key):
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    user = user_with_token(signing_key)
    try:
        run = conformance.run_asgi(app, headers=user.headers, max_examples=25)
    finally:
        conformance.stop_asgi_apps()
        asyncio.run(
            testing.delete_broker_objects(
                [settings.service_queue, f"{settings.service_queue}.dlq"],
                [settings.events_exchange, f"{settings.service_queue}.dlx"],
            )
        )
    print(f"\nai: {run.summary()}")
    assert run.statuses[200] > 0  # the token is accepted
    assert not run.failures, run.report()
    assert not run.errors, run.report()
