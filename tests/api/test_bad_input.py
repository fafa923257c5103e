"""Bad input gets a 4xx with a clear message and changes nothing; nothing gets a 500
(design §6; security test 21)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.middleware import MAX_BODY
from app.models import PatientSyncState
from app.schemas.diary import DiaryEntryCreate
from app.schemas.entities import ENTITIES
from tests.conftest import Browser
from tests.factories import valid_fields

DIARY = "/api/v1/diary-entries"
JSON = {"content-type": "application/json"}


def stored(engine: sa.Engine, client: Browser) -> tuple[int, int]:
    """(records of every entity, the patient's version): what a refused write must keep."""
    owner = uuid.UUID(client.me["id"])
    with engine.connect() as connection:
        count = 0
        for entity in ENTITIES.values():
            table = entity.table.__table__  # type: ignore[attr-defined]
            count += connection.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.patient_id == owner)
            ).scalar_one()
        version = connection.execute(
            sa.select(PatientSyncState.version).where(  # type: ignore[call-overload]
                PatientSyncState.patient_id == owner)
        ).scalar_one()
    return count, version


def assert_error(response: Any, status: int | tuple[int, ...], code: str | None = None,
                 *named: str) -> dict[str, Any]:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"error", "detail"} and isinstance(body["detail"], str), body
    if code:
        assert body["error"] == code, body
    for text in named:
        assert text in body["detail"], (text, body)
    return body  # type: ignore[no-any-return]


@pytest.fixture
def entry(patient: Browser) -> dict[str, Any]:
    response = patient.post(DIARY, json=valid_fields("diary_entry"))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


# -- size -----------------------------------------------------------------------------------


def _padded_entry(size: int) -> bytes:
    """A JSON diary entry of exactly `size` bytes (spaces are valid JSON whitespace)."""
    body = json.dumps(valid_fields("diary_entry")).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_body_over_1_mib_is_refused_with_413_when_its_length_is_declared(
    patient: Browser, engine: sa.Engine, entry: dict[str, Any]
) -> None:
    before = stored(engine, patient)
    for method, path in [("POST", DIARY), ("PATCH", f"{DIARY}/{entry['id']}"),
                         ("POST", "/api/v1/auth/login")]:
        response = patient.request(method, path, content=_padded_entry(MAX_BODY + 1),
                                   headers=JSON)
        assert_error(response, 413, "too_large", str(MAX_BODY))
    assert stored(engine, patient) == before


def test_a_chunked_body_over_1_mib_is_refused_with_413(
    patient: Browser, engine: sa.Engine, entry: dict[str, Any]
) -> None:
    before = stored(engine, patient)
    for method, path in [("POST", DIARY), ("PATCH", f"{DIARY}/{entry['id']}")]:
        response = patient.request(method, path, headers=JSON,
                                   content=_chunks(_padded_entry(MAX_BODY + 1)))
        assert "content-length" not in response.request.headers
        assert_error(response, 413, "too_large", str(MAX_BODY))
    assert stored(engine, patient) == before


def test_a_body_of_exactly_1_mib_is_read(patient: Browser, engine: sa.Engine) -> None:
    for content in (_padded_entry(MAX_BODY), _chunks(_padded_entry(MAX_BODY))):
        response = patient.post(DIARY, content=content, headers=JSON)
        assert response.status_code == 201, response.text[:300]


def test_a_declared_length_that_is_not_a_number_is_refused(
    patient: Browser, engine: sa.Engine
) -> None:
    before = stored(engine, patient)
    response = patient.post(DIARY, content=b"{}", headers={**JSON, "content-length": "-5"})
    assert 400 <= response.status_code < 500
    assert stored(engine, patient) == before


def test_a_1_mb_note_is_refused_naming_the_field(patient: Browser, engine: sa.Engine) -> None:
    before = stored(engine, patient)
    response = patient.post(DIARY, json=valid_fields("diary_entry", notes="n" * 1_000_000))
    assert_error(response, (413, 422), None, "notes")
    assert stored(engine, patient) == before


# -- JSON that is not an object of the right shape ------------------------------------------

NOT_AN_OBJECT = [
    (b"{nope", "body is not valid JSON"),
    (b'{"local_date": "2026-11-27", "pain": 4', "body is not valid JSON"),
    (b"", "body is required"),
    (b"null", "body"),
    (b'[{"local_date": "2026-11-27", "pain": 4}]', "body"),
    (b'"a string"', "body"),
    (b"42", "body"),
    (b'{"local_date": "2026-11-27", "pain": 4, "sleep_hours": NaN}', "sleep_hours"),
    (b'{"local_date": "2026-11-27", "pain": 4, "sleep_hours": Infinity}', "sleep_hours"),
    (b'{"local_date": "2026-11-27", "pain": 4, "notes": "\\ud800"}', "notes"),
    (b'{"local_date": "2026-11-27", "pain": 4, "pain": "4"}', "pain"),
]


@pytest.mark.parametrize(("content", "named"), NOT_AN_OBJECT,
                         ids=[c[:24].decode("latin-1") for c, _ in NOT_AN_OBJECT])
def test_a_body_that_is_not_a_json_object_is_refused_with_422(
    patient: Browser, engine: sa.Engine, entry: dict[str, Any], content: bytes, named: str
) -> None:
    before = stored(engine, patient)
    for method, path in [("POST", DIARY), ("PATCH", f"{DIARY}/{entry['id']}")]:
        response = patient.request(method, path, content=content, headers=JSON)
        assert_error(response, 422, "validation", named)
    assert stored(engine, patient) == before


def test_a_body_that_is_not_utf_8_is_refused_saying_so(
    patient: Browser, engine: sa.Engine, entry: dict[str, Any]
) -> None:
    before = stored(engine, patient)
    content = b'{"local_date": "2026-11-27", "pain": 4, "notes": "\xff\xfe"}'
    for method, path in [("POST", DIARY), ("PATCH", f"{DIARY}/{entry['id']}")]:
        response = patient.request(method, path, content=content, headers=JSON)
        assert_error(response, 400, "bad_request", "not UTF-8")
    assert stored(engine, patient) == before


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_json_sent_as_another_type_is_refused_and_says_what_to_send(
    patient: Browser, engine: sa.Engine, content_type: str | None
) -> None:
    before = stored(engine, patient)
    headers = {"content-type": content_type} if content_type else {}
    response = patient.post(DIARY, content=json.dumps(valid_fields("diary_entry")),
                            headers=headers)
    assert_error(response, (415, 422), None, "application/json")
    assert stored(engine, patient) == before


@pytest.mark.parametrize("depth", [100, 900, 5_000, 100_000])
def test_deeply_nested_json_is_refused_and_nothing_else_happens(
    patient: Browser, engine: sa.Engine, depth: int
) -> None:
    before = stored(engine, patient)
    nested = "[" * depth + "]" * depth
    bodies = [
        nested,
        '{"local_date": "2026-11-27", "pain": 4, "notes": ' + nested + "}",
        '{"local_date": "2026-11-27", "pain": 4, "activities": ' + nested + "}",
        '{"local_date": "2026-11-27", "pain": 4, "x": ' + nested + "}",
        '{"a":' * depth + "1" + "}" * depth,
    ]
    # Too deep to parse is a 400 (the body cannot be read); parsed but wrong is a 422.
    expected = (400, "bad_request", "nested too deeply") if depth > 1_000 else (422, "validation")
    for body in bodies:
        response = patient.post(DIARY, content=body.encode(), headers=JSON)
        assert_error(response, *expected)
        assert len(response.text) < 2_000  # the detail never echoes the whole input
    response = patient.post("/api/v1/outcome-responses", headers=JSON, content=(
        '{"instrument": "peg", "local_date": "2026-11-27", "answers": {"pain": '
        + nested + ', "enjoyment": 1, "activity": 1}}').encode())
    assert_error(response, *expected)
    assert len(response.text) < 2_000
    assert stored(engine, patient) == before


def test_a_number_too_long_to_read_is_refused(patient: Browser, engine: sa.Engine) -> None:
    before = stored(engine, patient)
    response = patient.post(DIARY, headers=JSON, content=(
        b'{"local_date": "2026-11-27", "pain": ' + b"9" * 5_000 + b"}"))
    assert_error(response, 400, "bad_request", "number too long")
    response = patient.post(DIARY, json=valid_fields("diary_entry", pain=10**30))
    assert_error(response, 422, "validation", "pain", str(10**30))
    assert stored(engine, patient) == before


# -- paths and queries ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/nope",
                                  "/api/v1/nope/6f1c2a4e-8d3b-4c55-9a0e-2b7d9e1f4a10",
                                  "/api/v1/diary-entries/x/y", "/api/v1/"])
def test_an_unknown_api_path_answers_404_in_json(patient: Browser, path: str, method: str) -> None:
    response = patient.request(method, path, json={} if method in ("POST", "PATCH") else None)
    assert_error(response, (404, 405))
    if response.status_code == 404:
        assert response.json() == {"error": "not_found", "detail": f"nothing at {path}"}


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g",
                                    "' OR 1=1 --", "%00"])
def test_a_malformed_record_id_in_the_path_is_refused_naming_it(
    patient: Browser, engine: sa.Engine, entry: dict[str, Any], method: str, bad_id: str
) -> None:
    before = stored(engine, patient)
    response = patient.request(method, f"{DIARY}/{bad_id}",
                               json={"mood": 3} if method == "PATCH" else None)
    body = assert_error(response, 422, "validation", "record_id")
    shown = bad_id.replace("%00", "\x00")
    assert repr(shown)[1:-1][:20] in body["detail"] or shown[:20] in body["detail"], body
    assert stored(engine, patient) == before


@pytest.mark.parametrize("query", [
    {"limit": "100000"}, {"limit": "501"}, {"limit": "0"}, {"limit": "-5"}, {"limit": "1e3"},
    {"since": "x" * 41}, {"cursor": "c" * 401}, {"since": "2026-02-30"},
    {"since": "2026-11-27T09:00:00+24:00"}, {"since": "\x00"},
])
@pytest.mark.parametrize("path", [DIARY, "/api/v1/pacing-sessions", "/api/v1/values"])
def test_a_bad_list_query_is_refused_naming_it(
    patient: Browser, path: str, query: dict[str, str]
) -> None:
    (name, value), = query.items()
    response = patient.get(path, params=query)
    assert_error(response, 422, "validation", name)


@pytest.mark.parametrize("path", ["/api/v1/pacing-sessions", "/api/v1/values"])
@pytest.mark.parametrize("query", [{"until": "9999-12-31T23:59:59-12:00"},
                                   {"since": "0001-01-01T00:00:00+01:00"}])
def test_a_moment_past_the_ends_of_utc_is_refused_on_a_time_ordered_list(
    patient: Browser, path: str, query: dict[str, str]
) -> None:
    (name, value), = query.items()
    assert_error(patient.get(path, params=query), 422, "validation", name, value)


def test_a_moment_past_the_ends_of_utc_is_read_as_its_day_on_a_date_ordered_list(
    patient: Browser
) -> None:
    for query in ({"until": "9999-12-31T23:59:59-12:00"}, {"since": "0001-01-01T00:00:00+01:00"}):
        response = patient.get(DIARY, params=query)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("path", [DIARY, "/api/v1/pacing-sessions", "/api/v1/values"])
def test_the_ends_of_the_calendar_are_answered_in_list_bounds(patient: Browser, path: str) -> None:
    for query in ({"since": "0001-01-01", "until": "9999-12-31"},
                  {"since": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}):
        response = patient.get(path, params=query)
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [], "next": None}


# -- a property: no JSON object makes the server fail -------------------------------------

DIARY_FIELDS = sorted(DiaryEntryCreate.model_fields)
scalars = (st.none() | st.booleans() | st.integers()
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
           | st.dates().map(lambda d: d.isoformat()) | st.integers(-3, 13))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
keys = st.sampled_from([*DIARY_FIELDS, "patient_id", "version", "deleted"]) | st.text(max_size=12)
objects = st.dictionaries(keys, json_values, max_size=8)
near_valid = objects.map(lambda extra: {**valid_fields("diary_entry"), **extra})


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=objects | near_valid)
def test_no_json_object_posted_as_a_check_in_gets_a_server_error(
    patient: Browser, body: dict[str, Any]
) -> None:
    response = patient.post(DIARY, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) >= {"error", "detail"}
    else:
        assert response.status_code == 201


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=objects)
def test_no_json_object_sent_as_a_change_gets_a_server_error(
    patient: Browser, entry: dict[str, Any], body: dict[str, Any]
) -> None:
    response = patient.patch(f"{DIARY}/{entry['id']}", json=body)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 422), response.text


@pytest.mark.parametrize("password", ["p" * 1025 + "secret-tail", "hunter2\x00secret"])
def test_a_refused_password_is_never_repeated_back(new_browser: Any, password: str) -> None:
    stranger = new_browser()
    for path, body in [
        ("/api/v1/auth/register", {"email": "new@example.org", "password": password,
                                   "name": "Nia New"}),
        ("/api/v1/auth/login", {"email": "new@example.org", "password": password}),
    ]:
        response = stranger.post(path, json=body)
        detail = assert_error(response, 422, "validation", "password")["detail"]
        assert "secret" not in detail and "ppppp" not in detail and "hunter2" not in detail
