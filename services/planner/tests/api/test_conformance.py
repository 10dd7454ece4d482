"""Schemathesis against the planner's OpenAPI document, in process: every phase, the stateful
one along the document's links, and no 5xx, undocumented status, content type or body."""

import asyncio

from planner.main import create_app
from schediora_runtime import conformance, testing
from schediora_runtime.security.testing import static_verifier, user_with_token


def test_the_planner_answers_as_its_openapi_document_says(settings, signing_key):
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    user = user_with_token(signing_key)
    try:
        run = conformance.run_asgi(app, headers=user.headers, max_examples=2)
    finally:
        conformance.stop_asgi_apps()
        asyncio.run(
            testing.delete_broker_objects(
                [settings.service_queue, f"{settings.service_queue}.dlq"],
                [settings.events_exchange, f"{settings.service_queue}.dlx"],
            )
        )
    print(run.summary(), run.phases, run.checks)
    assert run.cases["stateful"] > 0, run.phases
    assert not run.failures and not run.errors, run.report()
