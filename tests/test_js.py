"""The patient app's JavaScript rules, run by node's built-in test runner (tests/js/), and
the rules that exist on both sides kept in agreement with the Python ones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from app.schemas.diary import BODY_AREAS
from tests.conftest import node_binary

ROOT = Path(__file__).resolve().parent.parent


def test_the_javascript_unit_tests_pass() -> None:
    # Files named one by one: node 20 takes a directory, later versions take globs.
    files = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests/js").glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs found"
    result = subprocess.run(
        [node_binary(), "--test", *files], cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "# fail 0" in output, output
    assert "# pass 0\n" not in output, output


def test_the_app_offers_exactly_the_body_areas_the_server_accepts() -> None:
    script = ("import { BODY_AREAS } from './app/static/js/diary.js';"
              "console.log(JSON.stringify(BODY_AREAS));")
    result = subprocess.run(
        [node_binary(), "--input-type=module", "-e", script], cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == list(BODY_AREAS)
