"""The JSON API under /api/v1 that every front end uses (the learner app, the robot bridge).

One blueprint module per resource, nested under the ``api`` blueprint. Errors are
``{"error", "message", "fields"}`` with a 4xx status; no input makes a 500.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from tutor_server.api import audio, learners, packs, progress, robots, sessions
from tutor_server.api.errors import register_api_handlers, register_error_handlers
from tutor_server.api.spec import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
for resource in (learners, packs, sessions, progress, audio, robots):
    bp.register_blueprint(resource.bp)
register_api_handlers(bp)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_error_handlers(app)
