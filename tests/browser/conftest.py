"""A real server on a free port and Debian's headless Chromium with a fake microphone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from speech.audio import SAMPLE_RATE, Audio, read_wav, to_wav_bytes
from speech.tts import TextToSpeech, Voice
from tests.conftest import example_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
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


@pytest.fixture
def server(tmp_path: Path, doc_example_dir: Path) -> Iterator[Server]:
    app, code = example_app(tmp_path, doc_example_dir, "Siivous A")
    http = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(app, f"http://127.0.0.1:{http.server_port}", code)
    http.shutdown()
    thread.join()
    app.extensions["sanapaja.engine"].dispose()


@pytest.fixture(scope="session")
def microphone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The learner says the word once; the quiet after it lets the page stop listening.

    Chromium loops the file, so the trailing silence is longer than the page's
    end-of-speech pause.
    """
    speech = read_wav(TextToSpeech().render_bytes(SPOKEN_WORD, Voice("m1", 140))).samples
    before = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    after = np.zeros(int(2.0 * SAMPLE_RATE), dtype=np.float32)
    path = tmp_path_factory.mktemp("microphone") / f"{SPOKEN_WORD}.wav"
    path.write_bytes(to_wav_bytes(Audio(np.concatenate([before, speech, after]))))
    return path


@pytest.fixture(scope="session")
def browser(microphone_wav: Path) -> Iterator[object]:
    from playwright.sync_api import Error, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run 'apt-get install -y chromium'")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
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
                    f"--use-file-for-fake-audio-capture={microphone_wav}",
                ],
            )
        except Error as exc:
            pytest.fail(f"could not start Chromium at {CHROMIUM}: {exc}")
        yield browser
        browser.close()
