"""The tutor's speech for the phrases of loaded packs, at stable, cacheable URLs.

A URL carries a keyed signature of the phrase's cache key, so only a client the API handed
the URL to (a signed-in learner's step, the robot bridge) can fetch it: an ``<audio>``
element cannot send a bearer token, and a deployer's own packs need not be public.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select

from lessons.engine.steps import FEEDBACK_PHRASES, NORMAL_RATE, SLOW_RATE
from lessons.pack.phrases import pack_phrases
from tutor_server import db
from tutor_server.api.errors import ApiError
from tutor_server.api.spec import operation
from tutor_server.credentials import keyed_hash
from tutor_server.pack_runtime import current_packs

if TYPE_CHECKING:
    from speech.tts import Voice

bp = Blueprint("audio", __name__)


def voice_at(rate: float) -> Voice:
    """The tutor's voice at a step's relative rate (1.0 normal, 0.8 slow)."""
    from speech.tts import DEFAULT_RATE, Voice

    return Voice(rate=round(DEFAULT_RATE * rate))


def audio_url(text: str, rate: float) -> str:
    from speech.tts import cache_key

    key = cache_key(text, voice_at(rate))
    return f"/api/v1/audio/{key}.wav?s={_signature(key)}"


def _signature(key: str) -> str:
    return keyed_hash(current_app.config["SECRET_KEY"], f"audio:{key}")[:32]


@operation(
    bp,
    "GET",
    "/audio/<key>.wav",
    responses={200: ("audio/wav", "The phrase spoken (cacheable for ever)")},
    errors={404: "No such phrase, or a wrong signature"},
    secured=False,
    query={"s": "the signature the API gave with the URL"},
)
def audio(key: str) -> Response:
    """The tutor's speech for a phrase of a loaded pack, at a stable, cacheable URL."""
    from speech.tts import TextToSpeech, TtsError

    signature = request.args.get("s", "")
    if not hmac.compare_digest(signature.encode(), _signature(key).encode()):
        raise ApiError(404, "unknown_audio", "no such phrase audio")
    phrases = _phrase_index()
    if key not in phrases:
        raise ApiError(404, "unknown_audio", "no such phrase audio")
    text, voice = phrases[key]
    tts: TextToSpeech = current_app.extensions["sanapaja.tts"]
    try:
        data = tts.render_bytes(text, voice)
    except TtsError as exc:
        raise ApiError(503, "tts_unavailable", str(exc)) from exc
    response = Response(data, mimetype="audio/wav")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _phrase_index() -> dict[str, Any]:
    """cache key → (text, voice) for the tutor's feedback and every phrase of every loaded
    pack, at both rates."""
    from speech.tts import cache_key
    from tutor_server.models import Pack as PackRecord

    session = db.get_session()
    versions = tuple(sorted(session.scalars(select(PackRecord.current_version_id)).all()))
    cached = current_app.extensions.get("sanapaja.phrases")
    if cached is not None and cached[0] == versions:
        index: dict[str, Any] = cached[1]
        return index
    index = {}
    phrases = list(FEEDBACK_PHRASES)
    for pack in current_packs(current_app, session, select(PackRecord.id)).values():
        phrases += pack_phrases(pack)
    for text in phrases:
        for rate in (NORMAL_RATE, SLOW_RATE):
            voice = voice_at(rate)
            index[cache_key(text, voice)] = (text, voice)
    current_app.extensions["sanapaja.phrases"] = (versions, index)
    return index
