"""JSON request bodies read with orjson, for the routes that take large ones (sync push).

orjson parses a 500-mutation push in under half the time of `json.loads`. It is stricter:
it refuses a lone surrogate escape ("\\ud800"), NaN and integers past 64 bits, which
`json.loads` reads. Those bodies fall back to `json.loads`, so every body means exactly what
it meant before; a push whose one record holds a lone surrogate still gets that one
mutation rejected, not the whole push.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute


def parse(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


class FastJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse(await self.body())
        return self._json


class FastJsonRoute(APIRoute):
    """An APIRoute whose handler reads its JSON body with `parse`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            return await handler(FastJsonRequest(request.scope, request.receive))

        return route_handler
