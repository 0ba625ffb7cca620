"""Configuration defaults; an instance file and SANAPAJA_* environment variables override them."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # None: a key generated on first run into instance/secret_key (tutor_server.credentials);
    # several servers of one deployment share one through SANAPAJA_SECRET_KEY.
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "PACK_CACHE": None,  # None: instance/pack-cache
    "TTS_CACHE": None,  # None: $SANAPAJA_TTS_CACHE or ~/.cache/sanapaja/tts
    "MAX_CONTENT_LENGTH": 2_500_000,  # uploads: one utterance is at most 2 MB
    "PUBLIC_URL": "http://127.0.0.1:5000",  # where learners open the app (join links, QR)
    "JOIN_CODE_LENGTH": 6,
    "RECOVERY_CODE_LENGTH": 8,
    "TOKEN_TTL_DAYS": 90,  # a sign-in lasts this long unused; each day of use extends it
    # Rate limits (tutor_server.rate_limits); with several processes, a shared store such as
    # redis://host:6379 (in memory, each process counts on its own).
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_CODE_FAILURES": "5 per minute;20 per hour",  # wrong codes per address
    "RATELIMIT_JOINS_PER_GROUP": "60 per hour",
    # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto to trust.
    "TRUSTED_PROXIES": 0,
    "PAIRING_CODE_LENGTH": 6,
    "PAIRING_CODE_TTL_S": 300,  # a pairing code shown in the learner's app
    "ROBOT_SESSION_IDLE_S": 600,  # a robot session ends after this long without the learner
}
