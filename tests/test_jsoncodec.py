"""app.jsoncodec: orjson's speed without changing what any JSON text means."""

from __future__ import annotations

import json
import math

import pytest

from app import jsoncodec


@pytest.mark.parametrize("text", [
    '{"pain": 4, "areas": ["knee_left"], "note": "ça va 🌧"}',
    '[1, 2.5, true, null, "x"]',
    '"rest\\ud800ed"',  # a lone surrogate escape: orjson refuses it, json reads it
    '{"sleep_hours": NaN}',  # not JSON at all, but json.loads reads it
])
def test_loads_reads_every_text_as_json_loads_does(text: str) -> None:
    expected = json.loads(text)
    for given in (text, text.encode()):
        got = jsoncodec.loads(given)
        if isinstance(expected, dict) and "sleep_hours" in expected:
            assert math.isnan(got["sleep_hours"])
        else:
            assert got == expected


def test_loads_refuses_what_json_loads_refuses() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        jsoncodec.loads(b'{"pain": ')


def test_dumps_writes_compact_json_that_reads_back() -> None:
    value = {"areas": ["knee_left", "lower_back"], "note": "ça va", "n": 2.5}
    assert jsoncodec.dumps(value) == '{"areas":["knee_left","lower_back"],"note":"ça va","n":2.5}'
    assert json.loads(jsoncodec.dumps(value)) == value
