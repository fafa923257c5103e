"""The app's route table, flattened: one `Endpoint` per method and full path.

FastAPI (0.165+) keeps an included router as one `_IncludedRouter` entry whose
`original_router.routes` hold the real routes and whose `include_context.prefix` is the
prefix the include added; older versions copied the routes into the app. Both are walked
here, and so are mounts (a mount with routes of its own is walked into; a mount of a plain
ASGI app such as `StaticFiles` becomes one GET endpoint `<mount>/{path}`).

Tests that must cover every route (ownership, sign-in, CSRF) derive their cases from
`endpoints(app)`, so a route added later is covered without anyone editing the test.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

# Paths anyone may call without signing in (design §7 "Pages" and "Auth"); a path listed
# here with a trailing slash is a prefix (a mount or a docs page with sub-paths).
PUBLIC_PATHS = frozenset({
    "/", "/login", "/register", "/healthz", "/docs", "/redoc", "/openapi.json",
    "/api/v1/auth/register", "/api/v1/auth/login",
    # The app shell's own files: served to everyone, offline too (design §7 "Pages").
    "/manifest.webmanifest", "/sw.js", "/favicon.ico", "/robots.txt",
})
# A password reset is a one-time link for someone who cannot sign in (design §6).
PUBLIC_PREFIXES = ("/static/", "/docs/", "/redoc/", "/reset-password/")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


@dataclass(frozen=True)
class Endpoint:
    """One method on one full path template, such as PATCH /api/v1/goals/{record_id}."""

    method: str
    path: str
    route: BaseRoute
    mounted: bool = False

    @property
    def params(self) -> tuple[str, ...]:
        return path_params(self.path)

    @property
    def is_api(self) -> bool:
        return isinstance(self.route, APIRoute)

    @property
    def is_public(self) -> bool:
        return is_public(self.path)

    def url(self, **values: str) -> str:
        """The path with each `{param}` replaced by `values[param]` (a random UUID if absent)."""
        return fill(self.path, **values)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def flatten(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute, bool]]:
    """Yield (full path, route, mounted) for every leaf route under `routes`."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:  # FastAPI's _IncludedRouter
            context = getattr(route, "include_context", None)
            yield from flatten(original.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, Mount):
            inner = list(getattr(route, "routes", None) or [])
            if inner:
                yield from flatten(inner, prefix + route.path)
            else:
                yield prefix + route.path.rstrip("/") + "/{path}", route, True
        else:
            yield prefix + getattr(route, "path", ""), route, False


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, full path) the app answers; HEAD is left out where GET is there."""
    found: dict[tuple[str, str], Endpoint] = {}
    for path, route, mounted in flatten(app.router.routes):
        methods: set[str]
        if mounted:
            methods = {"GET"}
        elif isinstance(route, APIRoute | Route):
            methods = set(route.methods or ())
        else:  # a WebSocket route or something new: still listed, so tests notice it
            methods = set(getattr(route, "methods", None) or {"GET"})
        if "GET" in methods:
            methods.discard("HEAD")
        for method in sorted(methods):
            found.setdefault((method, path), Endpoint(method, path, route, mounted))
    return sorted(found.values(), key=lambda e: (e.path, e.method))


def path_params(path: str) -> tuple[str, ...]:
    return tuple(_PARAM.findall(path))


def fill(path: str, **values: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return str(values.get(match.group(1), uuid.uuid4()))

    return _PARAM.sub(replace, path)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or any(
        path.startswith(prefix) or path + "/" == prefix for prefix in PUBLIC_PREFIXES
    )


def body_model(endpoint: Endpoint) -> Any:
    """The Pydantic model of the route's JSON body, or None when it takes none."""
    route = endpoint.route
    if not isinstance(route, APIRoute) or route.body_field is None:
        return None
    return getattr(route.body_field, "type_", None) or getattr(
        route.body_field.field_info, "annotation", None
    )
