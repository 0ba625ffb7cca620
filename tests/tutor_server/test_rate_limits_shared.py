"""Two gunicorn workers share one rate limit through Redis: a guesser spreading tries over
the workers is still stopped after the same handful of wrong codes."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.tutor_server.test_durability import OPENER, _free_port, _sanapaja

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@contextmanager
def redis_server(tmp_path: Path) -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (make test does it)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        client.close()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _recover(port: int, code: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/recover",
        json.dumps({"recovery_code": code}).encode(),
        {"Content-Type": "application/json", "Connection": "close"},
        method="POST",
    )
    try:
        with OPENER.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def test_two_workers_share_the_limit_through_redis(tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis_port:
        env = {
            **os.environ,
            "SANAPAJA_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
            "SANAPAJA_SECRET_KEY": secrets.token_hex(32),
            "SANAPAJA_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}",
            "SANAPAJA_PACK_CACHE": str(tmp_path / "pack-cache"),
        }
        _sanapaja(env, "db", "upgrade")
        port = _free_port()
        log = tmp_path / "gunicorn.log"
        with log.open("ab") as out:
            server = subprocess.Popen(
                [
                    GUNICORN,
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "tutor_server.wsgi:app",
                ],
                env=env,
                stdout=out,
                stderr=out,
            )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log.read_text()
                try:
                    with OPENER.open(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5):
                        break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            # A sync worker serves one connection at a time: a connection that sends nothing
            # keeps one worker busy, so the tries go to the other one. Then the two swap.
            statuses: Counter[int] = Counter()
            first = socket.create_connection(("127.0.0.1", port))
            time.sleep(0.3)
            statuses.update(_recover(port, f"WRONG{n}") for n in range(4))
            second = socket.create_connection(("127.0.0.1", port))
            time.sleep(0.3)
            first.close()
            statuses.update(_recover(port, f"WRONG{n}") for n in range(4, 12))
            second.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert statuses == {404: 5, 429: 7}, (statuses, log.read_text()[-2000:])
