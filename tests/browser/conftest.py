"""A real server on a free port and Debian's headless Chromium with a fake microphone."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from speech.audio import SAMPLE_RATE, Audio, read_wav, to_wav_bytes
from speech.tts import TextToSpeech, Voice
from tests.conftest import example_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright

    from lessons.engine.session import SessionState
    from lessons.engine.steps import Step

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
# A pack with a lesson per screen the doc example does not reach (match pairs, dialogue).
SCREENS_PACK = Path(__file__).parent / "packs" / "ruudut"
PHONE = {"width": 390, "height": 844}
SPOKEN_WORD = "tuli"


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class Server:
    app: Flask
    url: str
    code: str


def session_state(server: Server, session_id: str) -> SessionState:
    """The session as the server keeps it: position, attempts, outcomes and the steps with
    their right answers, which the API keeps from the page."""
    from tutor_server import db, session_store
    from tutor_server.models import LessonSession

    with server.app.app_context():
        record = db.get_session().get(LessonSession, session_id)
        assert record is not None
        return session_store.load_state(server.app, record)


def engine_step(server: Server, session_id: str) -> Any:
    """The current step with its right answers (None when the lesson is over)."""
    return session_state(server, session_id).current


def join(page: Page, server: Server, language: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/join/{server.code}?lang={language}")
    page.fill("#display-name", "Olga")
    page.click("#join-form button[type=submit]")
    expect(page.locator("#recovery-code")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))


def joined_at_home(browser: Browser, server: Server, language: str) -> tuple[BrowserContext, Page]:
    """A learner on a phone who has joined in ``language`` and gone on to the home page."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    join(page, server, language)
    page.click("#go-home")
    return context, page


def click_right_answer(box: Locator, step: Step) -> None:
    """Click the right answer of a choice, order or pairs step in ``box`` (with Check where
    the step has one); other steps are left alone."""
    from lessons.engine.steps import AnswerKind

    if step.answer_kind is AnswerKind.CHOICE:
        box.locator(f"button.option[data-option='{step.expected[0]}']").click()
    elif step.answer_kind is AnswerKind.ORDER:
        for option in step.expected:
            box.locator(f".bank [data-option='{option}']").click()
        box.locator("[data-action=check]").click()
    elif step.answer_kind is AnswerKind.PAIRS:
        for pair in step.expected:
            left, right = pair.split("=")
            box.locator(f"[data-left='{left}']").click()
            box.locator(f"[data-right='{right}']").click()
        box.locator("[data-action=check]").click()


@contextmanager
def serving(app: Flask, code: str) -> Iterator[Server]:
    http = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(app, f"http://127.0.0.1:{http.server_port}", code)
    finally:
        http.shutdown()
        thread.join()
        app.extensions["sanapaja.engine"].dispose()


@pytest.fixture
def server(tmp_path: Path, doc_example_dir: Path) -> Iterator[Server]:
    app, code = example_app(tmp_path, doc_example_dir, "Siivous A")
    with serving(app, code) as running:
        yield running


@pytest.fixture
def screens_server(tmp_path: Path, doc_example_dir: Path) -> Iterator[Server]:
    """The example server with the screens pack too, and a group (its code) that learns it."""
    from tutor_server import db
    from tutor_server.groups import create_group
    from tutor_server.pack_store import store_pack

    app, _ = example_app(tmp_path, doc_example_dir, "Siivous A")
    with app.app_context(), db.transaction() as session:
        store_pack(session, SCREENS_PACK)
        code = create_group(session, "Näytöt", ["ruudut"], 6).join_code
    with serving(app, code) as running:
        yield running


def said_once(phrase: str, folder: Path) -> Path:
    """A WAV of the learner saying ``phrase`` once; the quiet after it lets the page stop
    listening. Chromium loops the file, so the trailing silence is longer than the page's
    end-of-speech pause. Voice m1 is none of the scorer's reference voices.
    """
    speech = read_wav(TextToSpeech().render_bytes(phrase, Voice("m1", 140))).samples
    before = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    after = np.zeros(int(2.0 * SAMPLE_RATE), dtype=np.float32)
    path = folder / f"{phrase.strip('.!?').replace(' ', '-')}.wav"
    path.write_bytes(to_wav_bytes(Audio(np.concatenate([before, speech, after]))))
    return path


@pytest.fixture(scope="session")
def microphone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return said_once(SPOKEN_WORD, tmp_path_factory.mktemp("microphone"))


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run 'apt-get install -y chromium'")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        yield playwright


def launch(playwright: Playwright, microphone: Path) -> Browser:
    """Headless Chromium whose microphone plays ``microphone`` (a WAV file, looped)."""
    from playwright.sync_api import Error

    try:
        return playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={microphone}",
            ],
        )
    except Error as exc:
        pytest.fail(f"could not start Chromium at {CHROMIUM}: {exc}")


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, microphone_wav: Path) -> Iterator[Browser]:
    browser = launch(playwright_driver, microphone_wav)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_saying(
    playwright_driver: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Browser]]:
    """``browser_saying(phrase)``: a browser whose microphone says ``phrase`` (one per phrase)."""
    folder = tmp_path_factory.mktemp("microphone-phrases")
    browsers: dict[str, Browser] = {}

    def saying(phrase: str) -> Browser:
        if phrase not in browsers:
            browsers[phrase] = launch(playwright_driver, said_once(phrase, folder))
        return browsers[phrase]

    yield saying
    for browser in browsers.values():
        browser.close()
