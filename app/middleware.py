"""One ASGI middleware for what every request and response needs: refusing cross-site
writes, capping body size, and the security headers of design §6."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024  # 1 MiB, the sync push limit; no request needs more
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class GuardMiddleware:
    def __init__(self, app: ASGIApp, *, base_url: str, hsts: bool) -> None:
        self.app = app
        self.allowed_hosts = {urlsplit(base_url).netloc.lower()}
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_headers(MutableHeaders(scope=message), path)
            await send(message)

        if scope["method"] in UNSAFE:
            refusal = self._cross_site(headers)
            if refusal:
                await _reply(send_with_headers, 403, "cross_site", refusal)
                return
            declared = headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
                await _reply(send_with_headers, 413, "too_large",
                             f"body of {declared} bytes is over the {MAX_BODY}-byte limit")
                return
            receive = _capped(receive, send_with_headers)
        try:
            await self.app(scope, receive, send_with_headers)
        except _BodyTooLarge:
            await _reply(send_with_headers, 413, "too_large",
                         f"body is over the {MAX_BODY}-byte limit")

    def _cross_site(self, headers: Headers) -> str | None:
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return "cross-site requests may not change anything here"
        origin = headers.get("origin")
        if origin is None:
            return None
        origin_host = urlsplit(origin).netloc.lower()
        own_host = headers.get("host", "").lower()
        if origin == "null" or (origin_host != own_host and origin_host not in self.allowed_hosts):
            return f"origin {origin[:80]!r} may not change anything here"
        return None

    def _add_headers(self, headers: MutableHeaders, path: str) -> None:
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if path.startswith("/api/"):
            headers["Cache-Control"] = "no-store"


class _BodyTooLarge(HTTPException):
    """Raised while the app reads the body; FastAPI passes HTTP exceptions through as-is."""

    def __init__(self) -> None:
        super().__init__(413, f"body is over the {MAX_BODY}-byte limit")


def _capped(receive: Receive, send: Send) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise _BodyTooLarge
        return message

    return wrapped


async def _reply(send: Send, status: int, code: str, detail: str, **extra: Any) -> None:
    body = json.dumps({"error": code, "detail": detail, **extra}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
