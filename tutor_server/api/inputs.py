"""Reading request bodies: a JSON object, text fields and the support language."""

from __future__ import annotations

from typing import Any

from flask import request

from lessons.pack.model import SUPPORT_LANGUAGES
from tutor_server.api.errors import ApiError


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    return data


def text_field(data: dict[str, Any], name: str, max_length: int, fields: dict[str, str]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        fields[name] = "required text"
        return ""
    # The limit is on the text as sent, as the API document says, before spaces are tidied.
    if len(value) > max_length:
        fields[name] = f"at most {max_length} characters"
    elif "\x00" in value:
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
        fields[name] = "no NUL characters"
    return " ".join(value.split())


def support_language_field(data: dict[str, Any], fields: dict[str, str]) -> str:
    language = data.get("support_language")
    if language not in SUPPORT_LANGUAGES:
        fields["support_language"] = f"one of: {', '.join(SUPPORT_LANGUAGES)}"
        return ""
    return str(language)
