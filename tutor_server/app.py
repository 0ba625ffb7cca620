"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tutor_server import credentials, db, rate_limits, security_headers, session_store
from tutor_server.config import DEFAULTS


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: Path | None = None
) -> Flask:
    """Config: defaults, then instance/config.py, then SANAPAJA_* environment variables.

    ``instance_path`` is the folder for the database, the secret key and caches (default:
    ``instance/`` beside the package)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(instance_path) if instance_path is not None else None,
    )
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("SANAPAJA")
    else:
        app.config.from_mapping(test_config)
    credentials.init_secret_key(app)
    db.init_app(app)
    rate_limits.init_app(app)
    security_headers.init_app(app)
    trusted = int(app.config.get("TRUSTED_PROXIES") or 0)
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]
    session_store.init_app(app)
    _init_speech(app)
    from tutor_server import api

    api.init_app(app)
    from tutor_server import web

    web.init_app(app)
    return app


def _init_speech(app: Flask) -> None:
    """One TTS cache and one pronunciation scorer per process (Vosk if configured)."""
    from lessons.finnish.spelling import open_spell_checker
    from speech.scoring import PronunciationScorer
    from speech.tts import TextToSpeech
    from speech.vosk_recognizer import configured_recognizer

    cache = app.config.get("TTS_CACHE")
    tts = TextToSpeech(Path(str(cache)) if cache else None)
    checker = open_spell_checker()
    app.extensions["sanapaja.tts"] = tts
    app.extensions["sanapaja.scorer"] = PronunciationScorer(
        tts, is_word=checker.is_word if checker else None, recognizer=configured_recognizer()
    )
