"""Lighthouse on the patient app (design §8), mobile, with Debian's Chromium.

    .venv/bin/python bench/lighthouse.py [--runs 3]

On first run installs lighthouse@12.2.3 with npm into bench/.lighthouse/ (git-ignored;
13.x needs Node 22). Starts a live server on a SQLite file of its own, registers a
patient, and runs Lighthouse's default mobile configuration (emulated phone, simulated
slow 4G and CPU) on `/` signed in (the session cookie passed with --extra-headers) and on
`/login`, each in a fresh browser profile. Prints the median of the runs for performance,
accessibility and best practices beside the bars: ≥ 95, 100, ≥ 95.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import app.models  # noqa: E402, F401 - every table on the metadata
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from tests.live import live_server  # noqa: E402

LIGHTHOUSE = "lighthouse@12.2.3"
INSTALL_DIR = REPO / "bench" / ".lighthouse"
BINARY = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices")
BARS = {"performance": 95, "accessibility": 100, "best-practices": 95}
RUN_TIMEOUT = 240
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP",
           "total-blocking-time": "TBT", "speed-index": "SI", "cumulative-layout-shift": "CLS"}


def install() -> Path:
    if BINARY.exists():
        return BINARY
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed: Lighthouse cannot be installed")
    print(f"installing {LIGHTHOUSE} into {INSTALL_DIR.relative_to(REPO)} (first run only) …",
          flush=True)
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(INSTALL_DIR), "--save-exact", "--no-audit",
                    "--no-fund", "--loglevel=error", LIGHTHOUSE], check=True, timeout=900)
    return BINARY


def session_cookie(base_url: str) -> str:
    answer = httpx.post(f"{base_url}/api/v1/auth/register", timeout=10, json={
        "email": "lighthouse@example.org", "password": "a calm walk by the river",
        "name": "Light House"})
    answer.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in answer.cookies.items())


def run_once(binary: Path, url: str, out: Path, headers: dict[str, str] | None) -> dict[str, Any]:
    command = [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    result = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM},
                            capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse could not load {url}: {report['runtimeError']}")
    scores = {name: round(100 * (report["categories"][name]["score"] or 0))
              for name in CATEGORIES}
    failing = sorted(
        {audit["id"] for category in CATEGORIES
         for ref in report["categories"][category]["auditRefs"] if ref["weight"] > 0
         for audit in [report["audits"][ref["id"]]]
         if audit["score"] is not None and audit["score"] < 1})
    metrics = {short: report["audits"][audit]["numericValue"] for audit, short in METRICS.items()}
    return {"scores": scores, "failing": failing, "metrics": metrics,
            "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl")}


def metric(short: str, value: float) -> str:
    return f"{short} {value:.3f}" if short == "CLS" else f"{short} {value:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    binary = install()

    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="pacewise-lighthouse-") as directory:
        database_url = f"sqlite:///{Path(directory) / 'pacewise.db'}"
        engine = make_engine(Settings(database_url=database_url, secret_key="bench-" + "s" * 40))
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        with live_server(database_url) as base_url:
            cookie = session_cookie(base_url)
            pages = {"/ (signed in)": (f"{base_url}/", {"Cookie": cookie}),
                     "/login": (f"{base_url}/login", None)}
            for label, (url, headers) in pages.items():
                results[label] = []
                for index in range(runs):
                    print(f"lighthouse {label}, run {index + 1} of {runs} …", flush=True)
                    out = Path(directory) / f"report-{len(results)}-{index}.json"
                    result = run_once(binary, url, out, headers)
                    if result["final_url"] != url:
                        raise RuntimeError(f"{url} ended on {result['final_url']}: the app "
                                           "was not measured (signed out?)")
                    results[label].append(result)

    ok = True
    print(f"\nLighthouse 12.2.3, mobile, Debian Chromium; median of {runs} runs each")
    summary: dict[str, dict[str, float]] = {}
    for label, page_runs in results.items():
        medians = {name: statistics.median(r["scores"][name] for r in page_runs)
                   for name in CATEGORIES}
        summary[label] = medians
        figures = "   ".join(
            f"{name} {medians[name]:.0f} (bar {'' if BARS[name] == 100 else '≥ '}{BARS[name]})"
            for name in CATEGORIES)
        met = all(medians[name] >= BARS[name] for name in CATEGORIES)
        ok &= met
        print(f"{label:<14} {figures}   {'meets the bars' if met else 'BELOW THE BAR'}")
        print(f"{'':<14} landed on {page_runs[0]['final_url']}; runs: "
              + ", ".join("/".join(str(r["scores"][n]) for n in CATEGORIES) for r in page_runs))
        print(f"{'':<14} median " + ", ".join(
            metric(short, statistics.median(r["metrics"][short] for r in page_runs))
            for short in METRICS.values()))
        failing = sorted({audit for r in page_runs for audit in r["failing"]})
        if failing:
            print(f"{'':<14} audits not fully passed in some run: {', '.join(failing)}")
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
