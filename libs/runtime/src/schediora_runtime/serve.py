"""Running a service process: `python -m <service>` ends up here."""

import uvicorn

from schediora_runtime.settings import BaseServiceSettings


def serve(app_factory: str, settings: BaseServiceSettings) -> None:
    """Serve `module:create_app` on the settings' host and port with uvloop and httptools,
    in `WEB_CONCURRENCY` worker processes (each with its own pools, relay and consumer)."""
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.web_concurrency,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
