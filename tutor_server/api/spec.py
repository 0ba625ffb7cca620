"""Declaring API operations once: the route, its request body and responses as pydantic
models (tutor_server.api.schemas). The same declarations validate requests and make the
OpenAPI 3.1 document served at /api/v1/openapi.json.

A body is parsed by pydantic's JSON parser, which refuses nesting past its depth limit and
lone surrogates; every problem becomes a 400 ``{"error", "message", "fields"}``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from tutor_server.api import schemas
from tutor_server.api.errors import ApiError

PREFIX = "/api/v1"
View = TypeVar("View", bound=Callable[..., Any])
Body = TypeVar("Body", bound=schemas.RequestBody)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form: /api/v1/sessions/{session_id}
    summary: str
    body: type[schemas.RequestBody] | None
    upload: type[schemas.RequestBody] | None
    responses: dict[int, tuple[type[BaseModel] | str | None, str]]
    secured: bool
    query: dict[str, str] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def operation(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    responses: dict[int, tuple[type[BaseModel] | str | None, str]],
    errors: dict[int, str] | None = None,
    body: type[schemas.RequestBody] | None = None,
    upload: type[schemas.RequestBody] | None = None,
    secured: bool = True,
    query: dict[str, str] | None = None,
) -> Callable[[View], View]:
    """Register ``rule`` on ``bp`` and describe it. A secured operation checks the sign-in
    before it reads the body, so a stranger learns nothing from validation errors.

    ``responses`` maps a status to (model, description); a model may be a media type string
    (``"audio/wav"``) or None for no body. ``errors`` maps the other statuses the operation
    answers with an Error body to their meaning; 400, 401 and 503 are added where they apply.
    """
    described = dict(responses)
    described.update({status: (schemas.Error, text) for status, text in (errors or {}).items()})

    def decorate(view: View) -> View:
        OPERATIONS.append(
            Operation(
                method=method.upper(),
                path=PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule),
                summary=(view.__doc__ or view.__name__).strip().splitlines()[0],
                body=body,
                upload=upload,
                responses=described,
                secured=secured,
                query=query or {},
            )
        )

        @functools.wraps(view)
        def checked(**kwargs: Any) -> Any:
            if secured:
                from tutor_server.api.context import current_learner

                current_learner()
            return view(**kwargs)

        bp.add_url_rule(rule, view_func=checked, methods=[method.upper()])
        return view

    return decorate


def parse(model: type[Body], data: bytes | dict[str, Any]) -> Body:
    """``data`` (a JSON body, or form fields) as ``model``, or a 400 naming every bad field."""
    try:
        if isinstance(data, bytes):
            return model.model_validate_json(data or b"null")
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(error["type"] in ("json_invalid", "model_type") for error in errors):
            raise ApiError(400, "invalid_json", "the request body must be a JSON object") from None
        fields: dict[str, str] = {}
        for error in errors:
            name = ".".join(str(part) for part in error["loc"])
            top = str(error["loc"][0]) if error["loc"] else ""
            fields.setdefault(
                name, model.messages.get(name) or model.messages.get(top) or error["msg"]
            )
        raise ApiError(400, "invalid_fields", "some fields are missing or wrong", fields) from None


def json_body(model: type[Body]) -> Body:
    return parse(model, request.get_data(cache=True))


# The OpenAPI document.


def _content(model: type[BaseModel] | str | None, media: str = "application/json") -> Any:
    if model is None:
        return None
    if isinstance(model, str):
        return {model: {"schema": {"type": "string", "contentMediaType": model}}}
    return {media: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}


def openapi_document() -> dict[str, Any]:
    models: set[type[BaseModel]] = {schemas.Error}
    for op in OPERATIONS:
        models.update(m for m in (op.body, op.upload) if m is not None)
        models.update(m for m, _ in op.responses.values() if isinstance(m, type))
    _, definitions = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {}
        errors = {
            400: "bad input" if (op.body or op.upload) else None,
            401: "not signed in" if op.secured else None,
            503: "the database is busy; retry (Retry-After)",
        }
        for status, description in errors.items():
            if description is not None:
                responses[str(status)] = {
                    "description": description,
                    "content": _content(schemas.Error),
                }
        for status, (model, description) in sorted(op.responses.items()):
            entry: dict[str, Any] = {"description": description}
            content = _content(model)
            if content is not None:
                entry["content"] = content
            responses[str(status)] = entry
        described: dict[str, Any] = {"summary": op.summary, "responses": responses}
        if op.secured:
            described["security"] = [{"bearer": []}]
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", op.path)
        ]
        parameters += [
            {
                "name": name,
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
                "description": text,
            }
            for name, text in op.query.items()
        ]
        if parameters:
            described["parameters"] = parameters
        content = {}
        if op.body is not None:
            content.update(_content(op.body))
        if op.upload is not None:
            content.update(_content(op.upload, "multipart/form-data"))
        if content:
            described["requestBody"] = {"required": True, "content": content}
        paths.setdefault(op.path, {})[op.method.lower()] = described
    paths.setdefault(PREFIX + "/openapi.json", {})["get"] = {
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sanapaja lesson API",
            "version": "1",
            "description": "Workplace Finnish micro-lessons: the API every front end uses.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": definitions.get("$defs", {}),
        },
    }
