"""Lesson server throughput and latency under gunicorn, with many simulated learners.

.venv/bin/python bench/api_bench.py [--learners 100] [--duration 30] [--workers 4] [--threads 4]
    [--think-ms 200 1000] [--phases ping,get,answer,loop,think] [--database-url URL]

Makes a throw-away instance (SQLite file, pack cache and TTS cache in a temp dir, the shipped
packs and a demo group), serves it with gunicorn on 127.0.0.1, and drives it with wrk (C, with
a Lua learner script, so the load generator takes little of the CPU the server needs). For
comparison a bare Flask app with one JSON endpoint runs under the same gunicorn settings.
Prints figures only; nothing passes or fails. Needs `wrk` (apt-get install wrk) and gunicorn.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, jsonify

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET_RPS = 500
TARGET_P99_MS = 50.0
LESSONS_PER_LEARNER = 12
PHASES = (
    "ping",
    "get",
    "answer",
    "loop",
    "think",
)  # sessions made ahead for the answers-only phase

# One wrk script for every phase; args: MODE DATAFILE. The stateful modes run one connection
# per wrk thread, so a thread is one learner and its responses arrive in order.
LUA = r"""
local mode, data_file = nil, nil
local threads, counter = {}, 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local learners, me = {}, nil
local lessons = {}
local state, session_id, step_json, sent = "get", nil, nil, 0
local queue, rotate, next_lesson = {}, 0, 0
lessons_done, exhausted = 0, 0

local function split(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(out, field) end
  return out
end

function init(args)
  mode, data_file = args[1], args[2]
  math.randomseed(tid * 7919 + os.time())
  if data_file == nil then return end
  for line in io.lines(data_file) do
    local f = split(line)
    if f[1] == "lesson" then
      table.insert(lessons, {f[2], f[3]})
    else
      table.insert(learners, f)
    end
  end
  me = learners[(tid % #learners) + 1]
  for i = 2, #me, 2 do table.insert(queue, {me[i], me[i + 1]}) end
  next_lesson = tid
  if #queue > 0 then
    local first = table.remove(queue, 1)
    session_id, step_json = first[1], first[2]
  end
  state = (mode == "answer") and "post" or "get"
end

local function auth()
  return {["Authorization"] = "Bearer " .. me[1], ["Content-Type"] = "application/json"}
end

local function ids(json, key)
  local out = {}
  local list = json:match('"' .. key .. '":%[(.-)%]')
  if list then for id in list:gmatch('"id":"([^"]*)"') do table.insert(out, id) end end
  return out
end

local function quoted(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = '"' .. v .. '"' end
  return out
end

-- A (right or wrong) answer to the step in step_json, as the body's answer field (a spoken
-- step takes a recording, which this load does not send: it is skipped).
local function answer_for(json)
  local kind = json:match('"answer_kind":"(%a+)"')
  local options = ids(json, "options")
  if kind == "choice" and #options > 0 then
    return '"answer":{"choice":"' .. options[math.random(#options)] .. '"}'
  elseif kind == "order" then
    return '"answer":{"order":[' .. table.concat(quoted(options), ",") .. ']}'
  elseif kind == "pairs" then
    local right, pairs = ids(json, "right_options"), {}
    for i, left in ipairs(options) do
      if right[i] then table.insert(pairs, '"' .. left .. '":"' .. right[i] .. '"') end
    end
    return '"answer":{"pairs":{' .. table.concat(pairs, ",") .. '}}'
  elseif kind == "speech" then
    return '"skip":true'
  end
  return '"answer":{}'
end

local function post_answer()
  sent = sent + 1
  local index = step_json:match('"index":(%d+)') or "0"
  local body = string.format('{"client_id":"b%d-%d-%d","step":%s,%s}',
    tid, sent, math.random(1000000000), index, answer_for(step_json))
  return wrk.format("POST", "/api/v1/sessions/" .. session_id .. "/answers", auth(), body)
end

function request()
  if mode == "get" then
    rotate = rotate + 1
    me = learners[((tid * 997 + rotate) % #learners) + 1]
    return wrk.format("GET", "/api/v1/sessions/" .. me[2], auth())
  elseif mode == "answer" then
    return post_answer()
  elseif mode == "loop" then
    if state == "get" then
      return wrk.format("GET", "/api/v1/sessions/" .. session_id, auth())
    elseif state == "post" then
      return post_answer()
    elseif state == "finish" then
      return wrk.format("POST", "/api/v1/sessions/" .. session_id .. "/finish", auth(), "{}")
    else
      next_lesson = next_lesson + 1
      local lesson = lessons[(next_lesson % #lessons) + 1]
      local body = string.format('{"kind":"lesson","pack_id":"%s","lesson_id":"%s"}',
        lesson[1], lesson[2])
      return wrk.format("POST", "/api/v1/sessions", auth(), body)
    end
  end
  return wrk.request()
end

local function session_of(body)
  return body:match('"session":{"finished":%a+,"id":"(%x+)"')
    or body:match('^{"finished":%a+,"id":"(%x+)"')
end

function response(status, headers, body)
  if mode == "answer" then
    if status < 400 then
      step_json = body
    elseif body:find('"session_finished"') then
      step_json = '"step":null'
    end
    if step_json:find('"step":null') then
      lessons_done = lessons_done + 1
      if #queue == 0 then
        exhausted = 1
        wrk.thread:stop()
        return
      end
      local nxt = table.remove(queue, 1)
      session_id, step_json = nxt[1], nxt[2]
    end
  elseif mode == "loop" then
    if status >= 400 then
      state = body:find('"session_finished"') and "finish" or "get"
    elseif state == "get" then
      step_json = body
      state = body:find('"step":null') and "finish" or "post"
    elseif state == "post" then
      state = body:find('"step":null') and "finish" or "get"
    elseif state == "finish" then
      lessons_done = lessons_done + 1
      state = "start"
    else
      session_id = session_of(body) or session_id
      state = "get"
    end
  end
end

function done(summary, latency, requests)
  local l, e = 0, 0
  for _, t in ipairs(threads) do
    l = l + (t:get("lessons_done") or 0)
    e = e + (t:get("exhausted") or 0)
  end
  local err = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"lessons":%d,"exhausted":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, err.connect, err.read, err.write, err.status,
    err.timeout, l, e))
end
"""


def make_bare_app() -> Flask:
    """The ceiling: Flask under the same gunicorn, one endpoint with a small JSON answer."""
    app = Flask("bare")

    @app.get("/ping")
    def ping() -> Any:
        return jsonify({"ok": True, "step": 1})

    return app


@dataclass
class Phase:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    rss_mb: float
    peak_rss_mb: float
    server_cpu: float  # percent of one CPU, over the phase
    wrk_cpu: float
    note: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """pid and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of pid and its descendants, from /proc."""
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) summed over the gunicorn master and its workers, in MiB."""
    rss = peak = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1])
    return rss / 1024, peak / 1024


class Http:
    """A tiny JSON client for the untimed setup."""

    def __init__(self, base: str) -> None:
        self.base = base

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


@contextmanager
def gunicorn(app: str, port: int, args: argparse.Namespace, env: dict[str, str], log: Path):
    command = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--pythonpath",
        f"{ROOT},{ROOT / 'bench'}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
        app,
    ]
    if args.server_times:
        access = log.with_name("access.log")
        command[-1:-1] = ["--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT]
    with log.open("ab") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn {app} exited; see {log}:\n{log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {app} did not answer in 60 s") from None
                time.sleep(0.2)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"  # %(M)s: the request's time in the worker, ms


def print_server_times(access: Path) -> None:
    """Time in the worker per route (from gunicorn's access log), over the whole run."""
    times: dict[str, list[int]] = {}
    for line in access.read_text().splitlines():
        method, path, status, ms = line.split()
        route = re.sub(r"/[0-9a-f]{24}(?=/|$)", "/<session>", path)
        times.setdefault(f"{method} {route} {status}", []).append(int(ms))
    print("\ntime in the worker per route (gunicorn access log, whole run):")
    print(f"{'route':48s} {'count':>7s} {'p50 ms':>7s} {'p99 ms':>7s} {'max ms':>7s}")
    for route, values in sorted(times.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        p50 = values[len(values) // 2]
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"{route:48s} {len(values):7d} {p50:7d} {p99:7d} {values[-1]:7d}")


def _answer_for(step: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The answer fields of a right or wrong answer to a step, as the Lua learner makes them
    (a spoken step, which takes a recording, is skipped)."""
    options = [option["id"] for option in step["options"]]
    kind = step["answer_kind"]
    if kind == "choice" and options:
        return {"answer": {"choice": rng.choice(options)}}
    if kind == "order":
        return {"answer": {"order": options}}
    if kind == "pairs":
        right = [option["id"] for option in step["right_options"]]
        return {"answer": {"pairs": dict(zip(options, right, strict=False))}}
    if kind == "speech":
        return {"skip": True}
    return {"answer": {}}


def _send(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    data: str | None,
    headers: dict[str, str],
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request, as a browser sends it: a kept-alive connection that the server closed
    while it was idle (gunicorn closes them after --keep-alive seconds, 2 by default) is
    reopened and the request sent again, once. Nothing was answered on the closed one, and an
    answer carries its client_id, so sending it again counts once."""
    reused = connection.sock is not None
    try:
        connection.request(method, path, data, headers)
        response = connection.getresponse()
    except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
        if not reused:
            raise
        connection.close()
        connection.request(method, path, data, headers)
        response = connection.getresponse()
    return response, response.read()


class Learner(threading.Thread):
    """One learner at a human pace: each request waits a think time after the last answer.

    wrk's delay() is not used for this: its latencies with delays near a second include
    waits that a plain client does not see (bare Flask: p99 about 500 ms with wrk, 9 ms from
    this client).
    """

    def __init__(
        self,
        port: int,
        line: str,
        lessons: list[tuple[str, str]],
        think_ms: int,
        stop_at: float,
        index: int,
    ) -> None:
        super().__init__(daemon=True)
        fields = line.rstrip("\n").split("\t")
        self.token, self.session_id = fields[0], fields[1] if len(fields) > 1 else ""
        self.port, self.lessons, self.think = port, lessons, think_ms / 1000
        self.stop_at, self.rng = stop_at, random.Random(index)
        self.next_lesson = index
        self.latencies: list[float] = []
        self.errors = self.lessons_done = 0

    def call(
        self, connection: http.client.HTTPConnection, method: str, path: str, body: Any = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        try:
            response, payload = _send(connection, method, path, data, headers)
        except (OSError, http.client.HTTPException):
            self.errors += 1
            connection.close()
            return 0, None
        self.latencies.append(time.perf_counter() - started)
        if response.status >= 400:
            self.errors += 1
        return response.status, json.loads(payload or b"null")

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        session: Any = None
        sent = 0
        while time.monotonic() < self.stop_at:
            time.sleep(self.think * (0.5 + self.rng.random()))
            if not self.session_id:  # the plain ceiling: one small GET
                self.call(connection, "GET", "/ping")
                continue
            if session is None:
                _, session = self.call(connection, "GET", f"/api/v1/sessions/{self.session_id}")
            elif session.get("step") is None:
                self.call(connection, "POST", f"/api/v1/sessions/{self.session_id}/finish", {})
                self.lessons_done += 1
                self.next_lesson += 1
                pack_id, lesson_id = self.lessons[self.next_lesson % len(self.lessons)]
                body = {"kind": "lesson", "pack_id": pack_id, "lesson_id": lesson_id}
                status, started = self.call(connection, "POST", "/api/v1/sessions", body)
                if status in (200, 201):
                    self.session_id, session = started["id"], None
            else:
                sent += 1
                body = {
                    "client_id": f"t{self.name}-{sent}-{self.rng.randrange(10**9)}",
                    "step": session["step"]["index"],
                    **_answer_for(session["step"], self.rng),
                }
                path = f"/api/v1/sessions/{self.session_id}/answers"
                status, result = self.call(connection, "POST", path, body)
                session = result["session"] if status in (200, 201) else None
        connection.close()


def run_learners(
    name: str, port: int, data: Path, think_ms: int, args: argparse.Namespace, server_pid: int
) -> Phase:
    """The learner loop (or the bare /ping) at a human pace, driven from Python threads."""
    lines = data.read_text().splitlines()
    learner_lines = [line for line in lines if not line.startswith("lesson\t")][: args.learners]
    lessons = [tuple(line.split("\t")[1:3]) for line in lines if line.startswith("lesson\t")]
    stop_at = time.monotonic() + args.duration
    learners = [
        Learner(port, line, lessons, think_ms, stop_at, index)  # type: ignore[arg-type]
        for index, line in enumerate(learner_lines)
    ]
    server_before = cpu_seconds(server_pid)
    client_before = time.process_time()
    started = time.monotonic()
    for learner in learners:
        learner.start()
    for learner in learners:
        learner.join()
    wall = time.monotonic() - started
    latencies = sorted(x for learner in learners for x in learner.latencies)

    def percentile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000

    rss, peak = memory_mb(server_pid)
    done = sum(learner.lessons_done for learner in learners)
    return Phase(
        name=name,
        requests=len(latencies),
        seconds=wall,
        p50_ms=percentile(0.50),
        p95_ms=percentile(0.95),
        p99_ms=percentile(0.99),
        errors=sum(learner.errors for learner in learners),
        rss_mb=rss,
        peak_rss_mb=peak,
        server_cpu=(cpu_seconds(server_pid) - server_before) / wall * 100,
        wrk_cpu=(time.process_time() - client_before) / wall * 100,
        note=f"Python client; {done} lessons finished" if done else "Python client",
    )


def run_wrk(
    name: str,
    url: str,
    mode: str,
    data: Path | None,
    connections: int,
    threads: int,
    args: argparse.Namespace,
    script: Path,
    server_pid: int,
    extra: tuple[str, ...] = (),
) -> Phase:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
        "--",
        mode,
    ]
    if data is not None:
        command.append(str(data))
    command += extra
    server_before = cpu_seconds(server_pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    wall = time.monotonic() - started
    server_cpu = (cpu_seconds(server_pid) - server_before) / wall * 100
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_seconds = children.ru_utime + children.ru_stime
    wrk_seconds -= children_before.ru_utime + children_before.ru_stime
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed for {name}:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    errors = sum(figures[k] for k in ("connect", "read", "write", "timeout")) + figures["status"]
    notes = []
    if figures["lessons"]:
        notes.append(f"{figures['lessons']} lessons finished")
    if figures["exhausted"]:
        notes.append(f"{figures['exhausted']} learners ran out of lessons")
    rss, peak = memory_mb(server_pid)
    return Phase(
        name=name,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
        errors=errors,
        rss_mb=rss,
        peak_rss_mb=peak,
        server_cpu=server_cpu,
        wrk_cpu=wrk_seconds / wall * 100,
        note=", ".join(notes),
    )


def make_instance(tmp: Path, database_url: str | None) -> tuple[dict[str, str], str]:
    """Environment for a temp instance with the shipped packs and a demo group; its code.
    ``database_url``: an empty database to use instead of a SQLite file in ``tmp``."""
    env = {
        **os.environ,
        "SANAPAJA_DATABASE_URL": database_url or f"sqlite:///{tmp / 'sanapaja.sqlite3'}",
        "SANAPAJA_PACK_CACHE": str(tmp / "pack-cache"),
        "SANAPAJA_TTS_CACHE": str(tmp / "tts-cache"),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(BIN / "sanapaja"), "demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    match = re.search(r"join code (\w+)", done.stdout)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"sanapaja demo failed:\n{done.stdout}\n{done.stderr}")
    print(next(line for line in done.stdout.splitlines() if "join code" in line))
    return env, match.group(1)


def make_learners(http: Http, code: str, count: int, tmp: Path) -> tuple[Path, Path, Path]:
    """Join `count` learners and start lessons for them (untimed); write wrk's data files."""
    languages = ["en", "uk", "ru", "ar"]

    def join(i: int) -> str:
        body = {"code": code, "display_name": f"Oppija {i}", "support_language": "en"}
        body["support_language"] = languages[i % len(languages)]
        status, joined = http.call("POST", "/api/v1/join", body)
        if status != 201:
            raise SystemExit(f"join failed: {status} {joined}")
        return str(joined["token"])

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(join, range(count)))
    _, packs = http.call("GET", "/api/v1/packs", token=tokens[0])
    lessons = [(p["id"], lesson["id"]) for p in packs["packs"] for lesson in p["lessons"]]
    rng = random.Random(1)

    def start(token: str, pack_id: str, lesson_id: str) -> tuple[str, str]:
        body = {"kind": "lesson", "pack_id": pack_id, "lesson_id": lesson_id}
        status, session = http.call("POST", "/api/v1/sessions", body, token)
        if status not in (200, 201):
            raise SystemExit(f"starting a lesson failed: {status} {session}")
        return str(session["id"]), json.dumps(session, separators=(",", ":"), sort_keys=True)

    plans = [(token, rng.sample(lessons, LESSONS_PER_LEARNER)) for token in tokens]
    with ThreadPoolExecutor(8) as pool:
        started = [
            list(pool.map(lambda lesson, t=token: start(t, *lesson), chosen))
            for token, chosen in plans
        ]
    get_file, answer_file, loop_file = tmp / "get.tsv", tmp / "answer.tsv", tmp / "loop.tsv"
    lesson_lines = [f"lesson\t{pack_id}\t{lesson_id}\n" for pack_id, lesson_id in lessons]
    with get_file.open("w") as out:
        out.writelines(f"{t}\t{s[0][0]}\t{s[0][1]}\n" for t, s in zip(tokens, started, strict=True))
    # The answers-only phase uses sessions 2.. and the learner loop session 1 and new ones.
    with answer_file.open("w") as out:
        for token, sessions in zip(tokens, started, strict=True):
            fields = [token] + [part for session in sessions[1:] for part in session]
            out.write("\t".join(fields) + "\n")
    with loop_file.open("w") as out:
        out.writelines(f"{t}\t{s[0][0]}\t{s[0][1]}\n" for t, s in zip(tokens, started, strict=True))
        out.writelines(lesson_lines)
    print(f"{count} learners joined, {count * LESSONS_PER_LEARNER} lessons started")
    return get_file, answer_file, loop_file


def print_table(phases: list[Phase], args: argparse.Namespace) -> None:
    print()
    print(
        f"gunicorn gthread, {args.workers} workers x {args.threads} threads; "
        f"{args.learners} concurrent learners; {args.duration} s per phase; "
        f"{os.cpu_count()} CPUs; database: "
        f"{args.database_url.split('://')[0] if args.database_url else 'SQLite file'}"
    )
    print("CPU% is of one CPU (200 = both of 2); RSS is gunicorn master + workers;")
    print("client CPU% is wrk's, or this script's for the phases with think time")
    print(f"targets: >= {TARGET_RPS} requests/s, p99 <= {TARGET_P99_MS:.0f} ms")
    header = f"{'phase':24s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}"
    header += f" {'errors':>7s} {'requests':>9s} {'RSS MiB':>8s} {'peak MiB':>9s}"
    header += f" {'srv CPU%':>8s} {'cli CPU%':>8s}  note"
    print(header)
    for p in phases:
        print(
            f"{p.name:24s} {p.rps:8.0f} {p.p50_ms:8.1f} {p.p95_ms:8.1f} {p.p99_ms:8.1f}"
            f" {p.errors:7d} {p.requests:9d} {p.rss_mb:8.0f} {p.peak_rss_mb:9.0f}"
            f" {p.server_cpu:8.0f} {p.wrk_cpu:8.0f}  {p.note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--duration", type=int, default=30, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--think-ms",
        type=int,
        nargs="*",
        default=[200, 1000],
        help="learner loops where each learner waits about this long before each request",
    )
    parser.add_argument(
        "--phases",
        type=lambda text: set(text.split(",")),
        default=set(PHASES),
        help=f"which phases to run, comma-separated (default: all of {','.join(PHASES)})",
    )
    parser.add_argument(
        "--database-url",
        help="an empty database for the server (e.g. postgresql://user@host/db); "
        "default: a SQLite file in the temp dir",
    )
    parser.add_argument(
        "--server-times",
        action="store_true",
        help="log every request and print the time in the worker per route (costs some CPU)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, db)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not (BIN / "gunicorn").exists():
        raise SystemExit(f"gunicorn is missing: {BIN / 'pip'} install gunicorn")
    tmp = Path(tempfile.mkdtemp(prefix="sanapaja-bench-"))
    try:
        script = tmp / "learner.lua"
        script.write_text(LUA)
        log = tmp / "gunicorn.log"
        phases = []
        env, code = make_instance(tmp, args.database_url)
        port = free_port()
        if "ping" in args.phases:
            with gunicorn("api_bench:make_bare_app()", port, args, env, log) as server:
                pid = server.pid
                url = f"http://127.0.0.1:{port}/ping"
                phases.append(
                    run_wrk("bare Flask /ping", url, "plain", None, 100, 2, args, script, pid)
                )
                # The ceiling for the phases with think time too: the same learners' pace.
                idle = tmp / "plain.tsv"
                idle.write_text("".join(f"learner{i}\n" for i in range(args.learners)))
                for think in args.think_ms if "think" in args.phases else ():
                    phases.append(
                        run_learners(f"bare /ping, {think} ms think", port, idle, think, args, pid)
                    )
        port = free_port()
        with gunicorn("tutor_server.wsgi:app", port, args, env, log) as server:
            base = f"http://127.0.0.1:{port}"
            get_file, answer_file, loop_file = make_learners(Http(base), code, args.learners, tmp)
            n, pid = args.learners, server.pid
            if "get" in args.phases:
                phases.append(run_wrk("GET step", base, "get", get_file, n, 2, args, script, pid))
            if "answer" in args.phases:
                phases.append(
                    run_wrk("POST answer", base, "answer", answer_file, n, n, args, script, pid)
                )
            if "loop" in args.phases:
                phases.append(
                    run_wrk(
                        "learner loop (mixed)", base, "loop", loop_file, n, n, args, script, pid
                    )
                )
            for think in args.think_ms if "think" in args.phases else ():
                name = f"loop, {think} ms think"
                phases.append(run_learners(name, port, loop_file, think, args, pid))
        print_table(phases, args)
        if args.server_times:
            print_server_times(tmp / "access.log")
        server_errors = log.read_text().count("Traceback")
        if server_errors:
            print(f"\ngunicorn logged {server_errors} tracebacks; see {log}")
            args.keep = True
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
