"""Domain errors, and the one place that turns any error into the flat JSON shape
`{"error": code, "detail": text}` for the API or a plain page for the web side."""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

log = logging.getLogger("pacewise")


class DomainError(Exception):
    """A refusal the caller can act on: carries an HTTP status, a code and a detail."""

    status = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra


class Invalid(DomainError):
    status, code = 422, "validation"


class NotAuthenticated(DomainError):
    status, code = 401, "not_authenticated"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class TooLarge(DomainError):
    status, code = 413, "too_large"


class Throttled(DomainError):
    status, code = 429, "too_many_attempts"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Busy(DomainError):
    status, code = 503, "busy"


def describe_errors(errors: Sequence[Any]) -> str:
    """Say what was wrong in words that name each bad field and value."""
    return "; ".join(_describe(error) for error in errors[:5])


def _describe(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    kind = error.get("type", "")
    value = error.get("input")
    message = str(error.get("msg", "is invalid"))
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", "it cannot be parsed")
        at = f" (at character {loc[-1]})" if loc else ""
        return f"body is not valid JSON: {reason}{at}"
    if isinstance(value, bytes):  # the body was not parsed as JSON at all
        return "body must be a JSON object sent with Content-Type: application/json"
    if kind.startswith("value_error"):
        return message.removeprefix("Value error, ")
    where = _path(loc) or "body"
    message = message[:1].lower() + message[1:]
    if kind == "out_of_range":
        return f"{where} {message}".strip()
    if kind == "missing":
        return f"{where} is required"
    if kind == "extra_forbidden":
        return f"{where} is not a known field"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{where} {_short(value)} is not one of {expected}"
    # A whole object or list is not repeated back; a password never is, even to its owner.
    if isinstance(value, dict | list) or any("password" in part for part in loc):
        return f"{where}: {message}"
    return f"{where} {_short(value)}: {message}"


def _path(parts: list[str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _json(status: int, code: str, detail: str, headers: dict[str, str] | None = None,
          **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail, **extra}, status_code=status,
                        headers=headers)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def _respond(request: Request, status: int, code: str, detail: str,
             headers: dict[str, str] | None = None, **extra: Any) -> Response:
    if _wants_json(request):
        return _json(status, code, detail, headers, **extra)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status, headers=headers)
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": detail}, status_code=status,
        headers=headers,
    )


_STATUS_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden",
                 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                 415: "unsupported_media_type", 429: "too_many_attempts"}


def install_error_handlers(app: FastAPI) -> None:
    """Render every error from one place, and describe that one shape in the OpenAPI schema."""
    _document_errors(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        headers = None
        if isinstance(exc, Throttled):
            headers = {"Retry-After": str(exc.retry_after)}
        if isinstance(exc, Busy):
            headers = {"Retry-After": "1"}
        return _respond(request, exc.status, exc.code, exc.detail, headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        return _respond(request, 422, "validation", describe_errors(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _validation(request: Request, exc: ValidationError) -> Response:
        return _respond(request, 422, "validation",
                        describe_errors(exc.errors(include_url=False)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}"
        if exc.status_code == 400 and detail == _UNPARSED_BODY:
            detail = _unreadable_body(exc.__cause__)
        headers = getattr(exc, "headers", None)
        allowed = _allowed_methods(request) if exc.status_code == 405 else None
        if allowed:
            headers = {**(headers or {}), "Allow": allowed}
        return _respond(request, exc.status_code, code, detail, headers)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        if _is_busy(exc):
            return _respond(request, 503, "busy", "the database is busy; try again shortly",
                            {"Retry-After": "1"})
        return _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> Response:
        return _unexpected(request, exc)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str | None:
    """Every method some route serves at this path. Starlette's 405 names only the first
    matching route's, so `OPTIONS /api/v1/me` said `Allow: GET` though DELETE works too.
    Mounts (static files) answer 405 for themselves and are left to do so."""
    routes = [route for route in request.app.router.routes if not isinstance(route, Mount)]
    allowed = [method for method in _METHODS
               if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                      for route in routes)]
    return ", ".join(allowed) or None


# -- the error shape in the OpenAPI schema ----------------------------------------------------

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "title": "Error",
                  "description": "a stable code, e.g. validation, not_found, busy"},
        "detail": {"type": "string", "title": "Detail",
                   "description": "what was wrong, naming the bad field and value"},
    },
    "additionalProperties": True,
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ANY_REQUEST = {"401": "not signed in, or the session ended", "422": "a bad value, named in detail",
                "503": "the database is busy; retry after Retry-After seconds"}
_WITH_BODY = {"400": "the body is not JSON", "413": "the body is over 1 MiB"}
_UNSAFE_ANY = {"403": "cross-site, or without the X-CSRF-Token header"}
_WITH_ID = {"404": "no such record of yours"}


def _document_errors(app: FastAPI) -> None:
    """Make `/openapi.json` say what the API answers on failure: `{"error", "detail"}` for
    every error status, not FastAPI's default `{"detail": [...]}` for 422 that we never send."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            _describe_errors(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _describe_errors(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Error"] = ERROR_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            expected = dict(_ANY_REQUEST)
            if "requestBody" in operation:
                expected |= _WITH_BODY
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                expected |= _UNSAFE_ANY | {"413": _WITH_BODY["413"]}
            if "{" in path:
                expected |= _WITH_ID
            if path == "/api/v1/auth/register":
                del expected["401"]
            for status, description in expected.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}


_UNPARSED_BODY = "There was an error parsing the body"  # FastAPI's words when json.loads fails


def _unreadable_body(cause: BaseException | None) -> str:
    """Say why a JSON body could not be read at all (FastAPI only says that it could not)."""
    if isinstance(cause, RecursionError):
        return "body is not valid JSON: it is nested too deeply"
    if isinstance(cause, UnicodeDecodeError):
        return "body is not valid JSON: it is not UTF-8 text"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "body is not valid JSON: it holds a number too long to read"
    return "body is not valid JSON"


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(s in text for s in ("database is locked", "database is busy",
                                   "could not serialize", "deadlock detected",
                                   "lock timeout", "could not obtain lock"))


def _unexpected(request: Request, exc: Exception) -> Response:
    # The stack says where it failed; the message is left out, for it may quote the data
    # (a database's "Key (notes)=(...) already exists", a value in a ValueError).
    request_id = uuid.uuid4().hex[:12]
    statement = getattr(exc, "statement", None)  # SQL text only: parameters are hidden
    log.error("unexpected error %s on %s %s: %s%s\n%s", request_id, request.method,
              _redact_path(request.url.path), type(exc).__name__,
              f" in {statement[:200]!r}" if isinstance(statement, str) else "",
              "".join(traceback.format_tb(exc.__traceback__)).rstrip())
    return _respond(request, 500, "internal", f"something went wrong (request {request_id})",
                    request_id=request_id)


# -- logs ------------------------------------------------------------------------------------

_SECRET_PATH = re.compile(r"^(/reset-password/)[^/?]+")


def _redact_path(path: str) -> str:
    """A path with the one-time token of a reset link taken out."""
    return _SECRET_PATH.sub(r"\1[token]", path)


class _AccessLogRedaction(logging.Filter):
    """uvicorn's access log line without the reset token that a reset link carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], _redact_path(args[2]), *args[3:])
        return True


class _NoRowLogging(logging.Filter):
    """SQLAlchemy at DEBUG would log every fetched row, diary text and all: never."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Row ")


_ACCESS_FILTER = _AccessLogRedaction()
_ROW_FILTER = _NoRowLogging()


def install_log_filters() -> None:
    """Keep secrets and health data out of the server's and the libraries' logs (design §6)."""
    logging.getLogger("uvicorn.access").addFilter(_ACCESS_FILTER)
    logging.getLogger("sqlalchemy.engine.Engine").addFilter(_ROW_FILTER)
