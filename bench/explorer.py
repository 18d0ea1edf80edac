"""The explorer's targets, as ratios to a cold `derive` measured in the same run:
`rederive serve` starts and answers its first page within 2x a cold derive, and a what-if
round trip on Blackpool (request to answer, the server warm) takes at most 0.2x one."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status == 200, (path, resp.status, body[:200])
    return body


def _post(conn: http.client.HTTPConnection, path: str, body: bytes) -> bytes:
    conn.request("POST", path, body=body, headers={"content-type": "application/json"})
    resp = conn.getresponse()
    out = resp.read()
    assert resp.status == 200, (path, resp.status, out[:200])
    return out


def start_and_first_page(workspace: Path) -> tuple[float, subprocess.Popen, str]:
    """Seconds from starting `rederive serve` to the cases page answered, and the server."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--port", "0", "--format", "json", "--workspace", str(workspace)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = json.loads(proc.stdout.readline())["url"]
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port)
    _get(conn, "/")
    took = time.perf_counter() - t
    conn.close()
    return took, proc, url


def targets(t_cold: float, line, met) -> None:
    import yaml

    scenario = yaml.safe_load((ROOT / "cases" / "scenarios" / "learning-people-heard.yaml").read_text())
    body = json.dumps(scenario).encode()
    with tempfile.TemporaryDirectory() as tmp:
        starts = []
        for n in range(3):
            took, proc, url = start_and_first_page(Path(tmp) / f"ws{n}")
            starts.append(took)
            if n < 2:
                proc.terminate()
                proc.wait()
        where = urlsplit(url)
        conn = http.client.HTTPConnection(where.hostname, where.port)
        try:
            for _ in range(3):  # warm: the case loaded and derived once
                _post(conn, "/api/cases/blackpool-2025/whatif", body)
            trips = []
            for _ in range(20):
                t = time.perf_counter()
                _post(conn, "/api/cases/blackpool-2025/whatif", body)
                trips.append(time.perf_counter() - t)
        finally:
            conn.close()
            proc.terminate()
            proc.wait()
    t_start, t_trip = min(starts), min(trips)
    line(
        "serve_start_first_page_s",
        f"{t_start:.3f} ({t_start / t_cold:.2f}x cold derive; target <= 2x: {met(t_start <= 2 * t_cold)})",
    )
    line(
        "serve_whatif_round_trip_blackpool_s",
        f"{t_trip:.4f} ({t_trip / t_cold:.3f}x cold derive; target <= 0.2x: {met(t_trip <= 0.2 * t_cold)})",
    )
