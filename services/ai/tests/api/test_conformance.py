"""Schemathesis against ai's OpenAPI document, in process (docs/reliability.md, items 29 and
30): every phase with every check but `positive_data_acceptance`
(`schediora_testkit.conformance.NOT_RUN` says why), as a signed-in student; then a second run
without credentials, in which every operation must refuse (0 `ignored_auth` failures)."""

import asyncio

from ai.main import create_app
from schediora_testkit import conformance, testing
from schediora_testkit.tokens import static_verifier, user_with_token


def test_ai_answers_as_its_openapi_document_says(settings, signing_key):
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    user = user_with_token(signing_key)
    try:
        run = conformance.run_asgi(app, headers=user.headers, max_examples=25)
        anonymous = conformance.run_asgi(
            app, headers={}, max_examples=5, coverage=False, refusals=(400, 401, 415, 422)
        )
    finally:
        conformance.stop_asgi_apps()
        asyncio.run(
            testing.delete_broker_objects(
                [settings.service_queue, f"{settings.service_queue}.dlq"],
                [settings.events_exchange, f"{settings.service_queue}.dlx"],
            )
        )
    print(f"\nai: {run.summary()}\nai without credentials: {anonymous.summary()}")
    print(
        "FIGURES ai checks passed/failed: "
        + run.passed_and_failed(*conformance.KEY_CHECKS)
        + "; without credentials: "
        + anonymous.passed_and_failed("ignored_auth")
    )
    assert run.statuses[200] > 0  # the token is accepted
    assert not run.failures, run.report()
    assert not run.errors, run.report()
    for check in ("negative_data_rejection", "ignored_auth"):
        assert run.checks[f"{check} success"] > 0, run.checks
    assert set(anonymous.statuses) == {401}, anonymous.statuses
    assert anonymous.checks["ignored_auth success"] > 0
    assert not anonymous.failures, anonymous.report()
    assert not anonymous.errors, anonymous.report()
