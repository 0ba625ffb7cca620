"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from lessons.pack.model import SUPPORT_LANGUAGES
from tutor_server.groups import CODE_ALPHABET


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "Bad input"),
    "401": _json(_ref("Error"), "Not signed in"),
    "404": _json(_ref("Error"), "Not found"),
}
# What the server accepts: a join code's letters (either case), and a name with some text.
JOIN_CODE = {"type": "string", "pattern": f"^[{CODE_ALPHABET}{CODE_ALPHABET.lower()}]+$"}
DISPLAY_NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": 40,
    # Some text besides spaces; \x1c-\x1f count as spaces to Python, not to every regex engine.
    "pattern": r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$",
}
CLIENT_ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[^\x00]+$"}
SESSION_ID = {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}}
BEARER = [{"bearer": []}]


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sanapaja lesson API",
            "version": "1",
            "description": "Workplace Finnish micro-lessons: the API every front end uses.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message", "fields"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                "Learner": {
                    "type": "object",
                    "required": ["id", "display_name", "support_language", "group"],
                    "properties": {
                        "id": {"type": "string"},
                        "display_name": {"type": "string"},
                        "support_language": {"enum": list(SUPPORT_LANGUAGES)},
                        "recording_consent": {"type": "boolean"},
                        "group": {"type": "object"},
                    },
                },
                "Credentials": {
                    "type": "object",
                    "required": ["learner", "token", "recovery_code"],
                    "properties": {
                        "learner": _ref("Learner"),
                        "token": {"type": "string"},
                        "recovery_code": {"type": "string"},
                    },
                },
                "Step": {
                    "type": "object",
                    "description": "A rendering-neutral step; answers stay on the server.",
                    "required": ["index", "kind", "answer_kind", "prompt_key"],
                    "properties": {
                        "index": {"type": "integer"},
                        "kind": {"type": "string"},
                        "answer_kind": {"enum": ["none", "choice", "speech", "order", "pairs"]},
                        "prompt_key": {"type": "string"},
                        "say": {"type": ["string", "null"]},
                        "audio_url": {
                            "type": ["string", "null"],
                            "description": "The Finnish spoken at the step's own rate.",
                        },
                        "slow_audio_url": {
                            "type": ["string", "null"],
                            "description": "The same Finnish spoken slowly (for 'hear it again').",
                        },
                        "show_fi": {"type": ["string", "null"]},
                        "gloss": {"type": ["string", "null"]},
                        "gloss_reviewed": {
                            "type": "boolean",
                            "description": "False: the gloss is a draft nobody fluent checked.",
                        },
                        "options": {"type": "array", "items": _ref("Option")},
                        "right_options": {"type": "array", "items": _ref("Option")},
                    },
                },
                "Option": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string"},
                        "fi": {"type": ["string", "null"]},
                        "gloss": {"type": ["string", "null"]},
                        "gloss_reviewed": {"type": "boolean"},
                        "picture": {"type": ["string", "null"]},
                        "audio_url": {"type": ["string", "null"]},
                    },
                },
                "Session": {
                    "type": "object",
                    "required": ["id", "kind", "position", "total", "finished", "step"],
                    "properties": {
                        "id": {"type": "string"},
                        "kind": {"enum": ["lesson", "review"]},
                        "position": {"type": "integer"},
                        "total": {"type": "integer"},
                        "finished": {"type": "boolean"},
                        "steps_done": {"type": "boolean"},
                        "step": {"anyOf": [_ref("Step"), {"type": "null"}]},
                    },
                },
                "AnswerResult": {
                    "type": "object",
                    "required": ["client_id", "step", "verdict", "session"],
                    "properties": {
                        "client_id": {"type": "string"},
                        "step": {"type": "integer"},
                        "verdict": {"type": ["object", "null"]},
                        "scoring": {"type": ["object", "null"]},
                        "session": _ref("Session"),
                    },
                },
            },
        },
        "paths": {
            "/api/v1/join": {
                "post": {
                    "summary": "Join a group with its join code",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["code", "display_name", "support_language"],
                                    "properties": {
                                        "code": JOIN_CODE,
                                        "display_name": DISPLAY_NAME,
                                        "support_language": {"enum": list(SUPPORT_LANGUAGES)},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"201": _json(_ref("Credentials"), "Joined"), **ERRORS},
                }
            },
            "/api/v1/recover": {
                "post": {
                    "summary": "Sign in on another device with the recovery code",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["recovery_code"],
                                    "properties": {"recovery_code": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {"200": _json(_ref("Credentials"), "Signed in"), **ERRORS},
                }
            },
            "/api/v1/me": {
                "get": {
                    "security": BEARER,
                    "responses": {"200": _json(_ref("Learner"), "The learner"), **ERRORS},
                },
                "patch": {
                    "security": BEARER,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "display_name": DISPLAY_NAME,
                                        "support_language": {"enum": list(SUPPORT_LANGUAGES)},
                                        "recording_consent": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"200": _json(_ref("Learner"), "Updated"), **ERRORS},
                },
                "delete": {
                    "security": BEARER,
                    "summary": "Delete the learner and all their data",
                    "responses": {"204": {"description": "Deleted"}, **ERRORS},
                },
            },
            "/api/v1/me/export": {
                "get": {
                    "security": BEARER,
                    "summary": "Everything stored about the learner",
                    "responses": {"200": _json({"type": "object"}, "The data"), **ERRORS},
                }
            },
            "/api/v1/packs": {
                "get": {
                    "security": BEARER,
                    "summary": "The learner's packs and lessons",
                    "responses": {"200": _json({"type": "object"}, "Packs"), **ERRORS},
                }
            },
            "/api/v1/sessions": {
                "post": {
                    "security": BEARER,
                    "summary": "Start or resume a lesson, or start today's review",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "kind": {"enum": ["lesson", "review"]},
                                        "pack_id": {"type": "string"},
                                        "lesson_id": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_ref("Session"), "Resumed"),
                        "201": _json(_ref("Session"), "Started"),
                        "409": _json(_ref("Error"), "Nothing due"),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/sessions/{session_id}": {
                "get": {
                    "security": BEARER,
                    "parameters": [SESSION_ID],
                    "responses": {"200": _json(_ref("Session"), "The session"), **ERRORS},
                }
            },
            "/api/v1/sessions/{session_id}/answers": {
                "post": {
                    "security": BEARER,
                    "summary": "Answer the current step (a retried client_id counts once)",
                    "parameters": [SESSION_ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["client_id", "step"],
                                    "anyOf": [
                                        {"required": ["answer"]},
                                        {
                                            "required": ["skip"],
                                            "properties": {"skip": {"const": True}},
                                        },
                                    ],
                                    "properties": {
                                        "client_id": CLIENT_ID,
                                        "step": {"type": "integer"},
                                        "skip": {"type": "boolean"},
                                        "answer": {
                                            "type": "object",
                                            "description": "Give the field the step's "
                                            "answer_kind asks for; null is the same as leaving "
                                            "a field out.",
                                            "properties": {
                                                "choice": {"type": ["string", "null"]},
                                                "order": {
                                                    "type": ["array", "null"],
                                                    "items": {"type": "string"},
                                                },
                                                "pairs": {
                                                    "type": ["object", "null"],
                                                    "additionalProperties": {"type": "string"},
                                                },
                                                "text": {
                                                    "type": ["string", "null"],
                                                    "maxLength": 500,
                                                },
                                            },
                                        },
                                    },
                                }
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["client_id", "step", "audio"],
                                    "properties": {
                                        "client_id": CLIENT_ID,
                                        "step": {"type": "integer"},
                                        "audio": {"type": "string", "format": "binary"},
                                    },
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": _json(_ref("AnswerResult"), "Already accepted (a retry)"),
                        "201": _json(_ref("AnswerResult"), "Accepted"),
                        "409": _json(_ref("Error"), "Not the current step, or finished"),
                        "422": _json(_ref("Error"), "The recording could not be scored"),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/sessions/{session_id}/finish": {
                "post": {
                    "security": BEARER,
                    "summary": "Finish: the outcomes go into spaced repetition once",
                    "parameters": [SESSION_ID],
                    "responses": {
                        "200": _json({"type": "object"}, "Finished"),
                        "409": _json(_ref("Error"), "Some steps are not answered or skipped"),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/reviews": {
                "get": {
                    "security": BEARER,
                    "responses": {"200": _json({"type": "object"}, "Due reviews"), **ERRORS},
                }
            },
            "/api/v1/progress": {
                "get": {
                    "security": BEARER,
                    "responses": {"200": _json({"type": "object"}, "Progress"), **ERRORS},
                }
            },
            "/api/v1/audio/{key}.wav": {
                "get": {
                    "summary": "The tutor's speech of a pack phrase (cacheable for a year)",
                    "parameters": [
                        {
                            "name": "key",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "WAV", "content": {"audio/wav": {}}},
                        "404": _json(_ref("Error"), "Not a pack phrase"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {"responses": {"200": _json({"type": "object"}, "This document")}}
            },
        },
    }
