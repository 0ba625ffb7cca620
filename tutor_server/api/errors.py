"""The API's error body, ``{"error", "message", "fields"}`` with a 4xx (or a 503)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(
        self, status: int, error: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.fields = status, error, message, fields or {}


def error_response(
    status: int, error: str, message: str, fields: dict[str, str] | None = None
) -> tuple[Response, int]:
    return jsonify({"error": error, "message": message, "fields": fields or {}}), status


def _database_busy(exc: OperationalError) -> tuple[Response, int]:
    """The database is busy (SQLite's write lock) or away: the client retries the same
    request (answers carry their client_id, so a retry never counts twice)."""
    current_app.logger.warning("database unavailable: %s", exc.orig)
    response, status = error_response(503, "busy", "the server is busy; try again in a moment")
    response.headers["Retry-After"] = "1"
    return response, status


def _api_error(exc: ApiError) -> tuple[Response, int]:
    return error_response(exc.status, exc.error, exc.message, exc.fields)


def register_api_handlers(api: Blueprint) -> None:
    """The API's own errors and a busy database answer in JSON."""
    api.register_error_handler(OperationalError, _database_busy)
    api.register_error_handler(ApiError, _api_error)


def register_error_handlers(app: Flask) -> None:
    """HTTP errors under /api/ answer in JSON too (unknown URL, wrong method, too large)."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return exc
        name = (exc.name or "error").lower().replace(" ", "_")
        response, status = error_response(
            exc.code or 400, name, exc.description or exc.name or "error"
        )
        # Keep the exception's own headers, such as a 405's Allow.
        for header, value in exc.get_headers():
            if header.lower() != "content-type":
                response.headers[header] = value
        return response, status
