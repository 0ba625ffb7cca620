"""Rate limits (Flask-Limiter) on the endpoints that take a secret code: joining a group and
recovering a sign-in, so codes cannot be guessed by brute force.

Failed tries are counted per address (a hit only when the code was wrong); joins per group
code are capped too, so a leaked code cannot fill a group. The counts live in memory by
default; with several server processes they must share a store, e.g.
``SANAPAJA_RATELIMIT_STORAGE_URI=redis://localhost:6379``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pydantic_core
from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

View = TypeVar("View", bound=Callable[..., Any])

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def init_app(app: Flask) -> None:
    limiter.init_app(app)


def _failed(response: Response) -> bool:
    return response.status_code in (400, 404)


def _join_code() -> str:
    """The group code a join names, read leniently (the view validates it)."""
    try:
        data = pydantic_core.from_json(request.get_data(cache=True))
    except ValueError:  # not JSON, nested too deep, lone surrogates: the view says so
        data = None
    code = data.get("code") if isinstance(data, dict) else None
    return f"group:{str(code).strip().upper()[:20]}" if isinstance(code, str) else "group:-"


def failed_code_tries(view: View) -> View:
    """A handful of wrong codes per address, per minute and per hour."""
    limited = limiter.limit(lambda: str(_config("RATELIMIT_CODE_FAILURES")), deduct_when=_failed)(
        view
    )
    return cast(View, limited)


def joins_per_group(view: View) -> View:
    limited = limiter.limit(
        lambda: str(_config("RATELIMIT_JOINS_PER_GROUP")),
        key_func=_join_code,
        deduct_when=lambda response: response.status_code == 201,
    )(view)
    return cast(View, limited)


def _config(name: str) -> object:
    return current_app.config[name]
