"""`LeanRoute`: FastAPI routes whose requests skip FastAPI's generic dependency solving when the
route's dependencies are simple enough to be called directly.

FastAPI solves every request's dependency tree generically: for each node it builds cache keys,
checks scopes, generators, overrides and thread pools, and matches every parameter kind. On a
hot read that is a third of the service's own CPU (services/auth/README.md: Performance). Most
routes need far less: a handful of dependencies that take the `Request` (the token check, the
read pool, the clock) and a few path or query parameters. For such a route `LeanRoute` compiles
the tree once, at startup, into a list of direct calls, and validates the path and query
parameters with FastAPI's own `request_params_to_args`; the endpoint, its exceptions (answered by
the app's problem handlers as before) and its response serialization are unchanged. Any route
it cannot compile (a body, headers, cookies, a dependency with `yield`, a sync dependency,
background tasks, security scopes) keeps FastAPI's handler, and so does any request while
`app.dependency_overrides` replaces a dependency with one that takes parameters (tests).

The OpenAPI document is FastAPI's own: the route is an ordinary `APIRoute` to everything but its
request handler.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import (  # the private name: see LeanRoute.get_route_handler
    APIRoute,
    _effective_route_context_var,
    serialize_response,
)
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class _Call:
    """One dependency to call with the request and/or the values of its own sub-dependencies."""

    call: Callable[..., Awaitable[Any]]
    name: str | None
    request_params: tuple[str, ...]
    """The parameters that receive the request (declared as `Request` or `HTTPConnection`)."""
    inputs: tuple["_Call", ...]

    async def value(self, request: Request, overrides: dict[Any, Any], solved: dict[int, Any]):
        key = id(self.call)
        if key in solved:
            return solved[key]
        call = overrides.get(self.call, self.call) if overrides else self.call
        if call is not self.call:
            # Only an override that takes nothing (a fixed clock) is called here.
            result = call()
            value = await result if inspect.isawaitable(result) else result
        else:
            arguments = {}
            for sub in self.inputs:  # in declaration order, as FastAPI solves them
                sub_value = await sub.value(request, overrides, solved)
                if sub.name is not None:
                    arguments[sub.name] = sub_value
            for name in self.request_params:
                arguments[name] = request
            value = await self.call(**arguments)
        solved[key] = value
        return value


def _compile(dependant: Dependant) -> _Call | None:
    """The dependency as a direct call, or None when it needs FastAPI's general solving."""
    call = dependant.call
    if call is None or not _is_plain_coroutine(call):
        return None
    if (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.concurrency is not None
        or not dependant.use_cache
    ):
        return None
    inputs = []
    for sub in dependant.dependencies:
        compiled = _compile(sub)
        if compiled is None:
            return None
        inputs.append(compiled)
    request_params = tuple(
        name
        for name in (dependant.request_param_name, dependant.http_connection_param_name)
        if name is not None
    )
    return _Call(call, dependant.name, request_params, tuple(inputs))


def _is_plain_coroutine(call: Callable[..., Any]) -> bool:
    """An `async def` function, or an object whose `__call__` is one (e.g. `HTTPBearer`)."""
    if inspect.isasyncgenfunction(call) or inspect.isgeneratorfunction(call):
        return False
    if inspect.iscoroutinefunction(call):
        return True
    method = getattr(call, "__call__", None)  # noqa: B004 - instances with an async __call__
    return not inspect.isroutine(call) and inspect.iscoroutinefunction(method)


def _overrides_are_simple(overrides: dict[Any, Any]) -> bool:
    return all(not inspect.signature(override).parameters for override in overrides.values())


class LeanRoute(APIRoute):
    """An `APIRoute` that answers through a compiled dependency plan when it can (see the
    module's documentation); pass it as `APIRouter(route_class=LeanRoute)`."""

    def get_route_handler(self) -> Handler:
        general = super().get_route_handler()
        # A route included into the app is served through its "effective context" (FastAPI
        # 0.16x): the same route with the app's and routers' dependencies added. FastAPI's own
        # `get_route_handler` finds it the same way.
        route: Any = self
        context = _effective_route_context_var.get()
        if context is not None and context.original_route is self:
            route = context
        dependant = route.dependant
        if (
            dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
            or dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name
            or dependant.http_connection_param_name
            or dependant.websocket_param_name
            or not inspect.iscoroutinefunction(dependant.call)
            or not isinstance(route.response_class, DefaultPlaceholder)
            or route.response_field is None
            or route.status_code == 204
        ):
            return general
        calls = []
        for sub in dependant.dependencies:
            compiled = _compile(sub)
            if compiled is None:
                return general
            calls.append(compiled)
        return _lean_handler(route, general, tuple(calls))


def _lean_handler(route: Any, general: Handler, calls: tuple[_Call, ...]) -> Handler:
    dependant = route.dependant
    endpoint = dependant.call
    assert endpoint is not None
    status_code = route.status_code or 200
    request_param = dependant.request_param_name
    path_params = dependant.path_params
    query_params = dependant.query_params

    async def handler(request: Request) -> Response:
        overrides = request.app.dependency_overrides
        if overrides and not _overrides_are_simple(overrides):
            return await general(request)
        solved: dict[int, Any] = {}
        values: dict[str, Any] = {}
        for call in calls:
            value = await call.value(request, overrides, solved)
            if call.name is not None:
                values[call.name] = value
        errors: list[Any] = []
        if path_params:
            found, path_errors = request_params_to_args(path_params, request.path_params)
            values.update(found)
            errors += path_errors
        if query_params:
            found, query_errors = request_params_to_args(query_params, request.query_params)
            values.update(found)
            errors += query_errors
        if errors:
            raise RequestValidationError(errors)
        if request_param is not None:
            values[request_param] = request
        result = await endpoint(**values)
        if isinstance(result, Response):
            return result
        content = await serialize_response(
            field=route.response_field,
            response_content=result,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            dump_json=True,
        )
        return Response(content=content, status_code=status_code, media_type="application/json")

    return handler
