"""Configuration defaults; an instance file and SANAPAJA_* environment variables override them."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": "dev",  # replace in production through SANAPAJA_SECRET_KEY
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "PACK_CACHE": None,  # None: instance/pack-cache
    "TTS_CACHE": None,  # None: $SANAPAJA_TTS_CACHE or ~/.cache/sanapaja/tts
    "MAX_CONTENT_LENGTH": 2_500_000,  # uploads: one utterance is at most 2 MB
    "PUBLIC_URL": "http://127.0.0.1:5000",  # where learners open the app (join links, QR)
    "JOIN_CODE_LENGTH": 6,
    "RECOVERY_CODE_LENGTH": 8,
    "PAIRING_CODE_LENGTH": 6,
    "PAIRING_CODE_TTL_S": 300,  # a pairing code shown in the learner's app
    "ROBOT_SESSION_IDLE_S": 600,  # a robot session ends after this long without the learner
}
