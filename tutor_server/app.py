"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tutor_server import db
from tutor_server.config import DEFAULTS


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Config: defaults, then instance/config.py, then SANAPAJA_* environment variables."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("SANAPAJA")
    else:
        app.config.from_mapping(test_config)
    db.init_app(app)
    return app
