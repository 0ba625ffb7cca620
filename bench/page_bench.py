"""What the learner app costs a phone on a slow connection: bytes and time per page.

.venv/bin/python bench/page_bench.py [--profile slow3g|fast3g|none] [--workers 2]

Makes a throw-away instance with the shipped packs and a demo group (as api_bench does),
serves it with gunicorn, and opens it in Debian's headless Chromium on a 390x844 viewport
with the network throttled through CDP (Network.emulateNetworkConditions; the "Slow 3G"
preset of Chrome DevTools and Puppeteer: 2000 ms latency, 50 kB/s down and up). The
throttling is set on the page's CDP session; whether Chromium applies it to what the
service worker fetches itself (pages, network first) this script does not check, so
--no-service-worker shows the app with every request on the throttled line for comparison.

Walks what a new learner does: the join link from the QR code (first visit, empty cache),
join, the home page, a reload of the home page (the next visit), the first lesson's first
step, and a reload of the lesson. For each page it prints the bytes the server sent while
the page loaded (response bodies from gunicorn's access log, so what the service worker
fetches counts too and what it serves from its cache does not) and the time from
navigation until the page can be used (the page's controls are on screen with their script
attached). Prints figures only; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api_bench import BIN, ROOT, free_port, make_instance  # type: ignore[import-not-found]

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
# Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts, Puppeteer's
# PredefinedNetworkConditions): bytes per second and milliseconds.
PROFILES: dict[str, dict[str, float] | None] = {
    "slow3g": {
        "latency": 400 * 5,
        "downloadThroughput": 500 * 1000 / 8 * 0.8,
        "uploadThroughput": 500 * 1000 / 8 * 0.8,
    },
    "fast3g": {
        "latency": 150 * 3.75,
        "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
        "uploadThroughput": 750 * 1000 / 8 * 0.9,
    },
    "none": None,
}
TARGET_KB = 300
TARGET_S = 3.0


@dataclass
class Visit:
    name: str
    kilobytes: float
    requests: int
    seconds: float


class Meter:
    """Counts the requests the server answered and the bytes it sent, from its access log."""

    def __init__(self, access_log: Path) -> None:
        self.log = access_log

    def _lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def measure(self, name: str, action: Callable[[], None]) -> Visit:
        before = len(self._lines())
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
        time.sleep(2.5)  # what the page and its worker fetch right after still counts
        lines = self._lines()[before:]
        sent = sum(int(line.split()[-1]) for line in lines if line.split()[-1].isdigit())
        return Visit(name, sent / 1000, len(lines), seconds)


def serve(port: int, workers: int, env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:port with an access log of each response's path and body size."""
    command = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        "--no-sendfile",  # so that the access log counts the bytes of static files too
        "--access-logfile",
        str(folder / "access.log"),
        "--access-logformat",
        "%(U)s %(B)s",
        "tutor_server.wsgi:app",
    ]
    with (folder / "gunicorn.log").open("ab") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {folder / 'gunicorn.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer in 60 s") from None
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="slow3g")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-service-worker",
        action="store_true",
        help="block the app's service worker (every request then goes over the throttled line)",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="sanapaja-page-bench-") as folder:
        tmp = Path(folder)
        env, code = make_instance(tmp, None)
        port = free_port()
        server = serve(port, args.workers, env, tmp)
        try:
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=[
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--autoplay-policy=no-user-gesture-required",
                    ],
                )
                try:
                    visits = walk(
                        browser,
                        base,
                        code,
                        PROFILES[args.profile],
                        tmp / "access.log",
                        "block" if args.no_service_worker else "allow",
                    )
                finally:
                    browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    worker = "blocked" if args.no_service_worker else "allowed"
    print(f"profile {args.profile}: {PROFILES[args.profile]}; service worker {worker}")
    print(f"{'page':<34} {'kB':>8} {'requests':>9} {'s to usable':>12}")
    for visit in visits:
        print(f"{visit.name:<34} {visit.kilobytes:8.1f} {visit.requests:9d} {visit.seconds:12.2f}")
    first = visits[0]
    print(
        f"first visit: {first.kilobytes:.1f} kB (target < {TARGET_KB}), "
        f"{first.seconds:.2f} s (target < {TARGET_S})"
    )


def walk(
    browser: Any,
    base: str,
    code: str,
    conditions: dict[str, float] | None,
    access_log: Path,
    service_workers: str,
) -> list[Visit]:
    context = browser.new_context(viewport=PHONE, service_workers=service_workers)
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error, file=sys.stderr))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if conditions is not None:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
    meter = Meter(access_log)
    visits = []

    def open_join() -> None:
        page.goto(f"{base}/join/{code}?lang=en", wait_until="commit")
        # Module scripts run before DOMContentLoaded: then the form's handler is attached.
        page.wait_for_load_state("domcontentloaded")
        page.wait_for_selector("#display-name", state="visible")

    visits.append(meter.measure("join link (first visit)", open_join))
    page.fill("#display-name", "Bench")
    page.click("#join-form button[type=submit]")
    page.wait_for_selector("#go-home:visible, #join-error:visible", timeout=120_000)
    if page.is_visible("#join-error"):
        raise SystemExit(f"joining failed: {page.inner_text('#join-error')}")

    def open_home() -> None:
        page.click("#go-home")
        page.wait_for_selector("button.lesson", state="visible", timeout=120_000)

    def reload_home() -> None:
        page.reload(wait_until="commit")
        page.wait_for_selector("button.lesson", state="visible", timeout=120_000)

    visits.append(meter.measure("home after joining", open_home))
    visits.append(meter.measure("home again (next visit)", reload_home))

    def open_lesson() -> None:
        page.locator("button.lesson").first.click()
        page.wait_for_selector(".step", state="visible", timeout=120_000)

    def reload_lesson() -> None:
        page.reload(wait_until="commit")
        page.wait_for_selector(".step", state="visible", timeout=120_000)

    visits.append(meter.measure("first lesson, first step", open_lesson))
    visits.append(meter.measure("lesson reloaded (next visit)", reload_lesson))
    context.close()
    return visits


if __name__ == "__main__":
    sys.exit(main())
