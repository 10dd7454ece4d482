"""Which upstream service owns a request path (docs/architecture.md: The gateway)."""

from collections.abc import Mapping

ROUTES: Mapping[str, str] = {
    "/api/v1/auth": "auth",
    "/api/v1/users": "auth",
    "/api/v1/subjects": "planner",
    "/api/v1/plans": "planner",
    "/api/v1/sessions": "planner",
    "/api/v1/dashboard": "planner",
    "/api/v1/ai/plans": "planner",
    "/api/v1/ai/jobs": "planner",
    "/api/v1/calendar": "planner",
    "/api/v1/feedback": "ai",
    "/api/v1/ai/generations": "ai",
}


class RouteTable:
    """Longest prefix wins; a prefix only matches whole path segments."""

    def __init__(self, routes: Mapping[str, str] = ROUTES) -> None:
        for prefix in routes:
            if not prefix.startswith("/") or prefix.endswith("/"):
                raise ValueError(f"route prefix {prefix!r} must start and not end with '/'")
        # Checked longest first, so the first hit is the longest match.
        self._routes = sorted(routes.items(), key=lambda item: len(item[0]), reverse=True)

    def match(self, path: str) -> str | None:
        """The service that serves `path`, or None when no prefix owns it."""
        owner = self.owner(path)
        return owner[1] if owner else None

    def owner(self, path: str) -> tuple[str, str] | None:
        """(prefix, service) of the route that owns `path`, or None."""
        for prefix, service in self._routes:
            # `/api/v1/plansX` must not reach the owner of `/api/v1/plans`.
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return prefix, service
        return None

    @property
    def services(self) -> set[str]:
        return {service for _, service in self._routes}
