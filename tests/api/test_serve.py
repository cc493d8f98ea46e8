"""``puente serve`` answers over real HTTP on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_with_the_openapi_and_problems(tmp_path):
    port = free_port()
    env = {**os.environ, "PUENTE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "puente", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(200):  # until it listens
            try:
                spec = json.load(urllib.request.urlopen(f"{base}/openapi.json", timeout=2))
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        else:
            raise AssertionError(server.stdout.read().decode() if server.poll() is not None else "no answer")
        assert spec["info"]["title"] == "Puente" and "/api/v1/records" in spec["paths"]
        request = urllib.request.Request(f"{base}/records", headers={"Accept-Language": "es"})
        try:
            urllib.request.urlopen(request, timeout=2)
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
            assert refused.headers["Content-Type"].startswith("application/problem+json")
            assert json.load(refused)["title"] == "No autenticado"
        else:
            raise AssertionError("a request without a token was answered")
    finally:
        server.terminate()
        server.wait(timeout=10)
