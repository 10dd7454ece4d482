"""Schemathesis against the planner's OpenAPI document, in process (docs/reliability.md, items
29 and 30): every phase (the stateful one along the document's links) with every check but
`positive_data_acceptance` (`schediora_testkit.conformance.NOT_RUN` says why), as a signed-in
student; then a second run without credentials, in which every secured operation must refuse
(0 `ignored_auth` failures)."""

import asyncio

from planner.main import create_app
from schediora_testkit import conformance, testing
from schediora_testkit.tokens import static_verifier, user_with_token


def test_the_planner_answers_as_its_openapi_document_says(settings, signing_key):
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    user = user_with_token(signing_key)
    try:
        run = conformance.run_asgi(app, headers=user.headers, max_examples=20)
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
    print(f"\nplanner: {run.summary()}\nplanner without credentials: {anonymous.summary()}")
    print(
        "FIGURES planner checks passed/failed: "
        + run.passed_and_failed(*conformance.KEY_CHECKS)
        + "; without credentials: "
        + anonymous.passed_and_failed("ignored_auth")
    )
    # The links (POST /plans -> GET /plans/{id}, POST /subjects -> PATCH and DELETE, generate ->
    # GET /ai/jobs/{id}, ...) give the stateful phase something to follow.
    assert run.links >= 6
    assert run.cases["stateful"] > 0, run.phases
    assert run.statuses[201] > 0  # the token is accepted: subjects and plans get created
    assert not run.failures, run.report()
    assert not run.errors, run.report()
    # Each of these checks did check something (each once per secured operation for auth).
    for check in ("negative_data_rejection", "ignored_auth", "use_after_free"):
        assert run.checks[f"{check} success"] > 0, run.checks
    assert run.checks["ensure_resource_availability success"] > 0, run.checks
    # Without credentials no 2xx at all (the feed by its secret token is the one operation
    # that needs no token: an unknown one is a 404, a bad `alarm` a 422).
    assert anonymous.statuses[401] > 0
    assert not [status for status in anonymous.statuses if status < 300], anonymous.statuses
    assert anonymous.checks["ignored_auth success"] > 0
    assert not anonymous.failures, anonymous.report()
    assert not anonymous.errors, anonymous.report()
