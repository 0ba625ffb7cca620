"""The learner web app's pages, languages and pictures, through the Flask test client."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from lessons.pack.model import SUPPORT_LANGUAGES
from tutor_server.app import create_app


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    """The app on a migrated database with one group, whose join code is ABCDEF."""
    from tutor_server import db
    from tutor_server.models import Group

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}"})
    with app.app_context():
        db.upgrade(app)
        with db.transaction() as session:
            session.add(Group(name="A", join_code="ABCDEF"))
    return app.test_client()


PAGES = ["/", "/join/ABCDEF", "/lesson/0123456789abcdef01234567"]


@pytest.mark.parametrize("language", SUPPORT_LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_in_every_language(client: FlaskClient, page: str, language: str) -> None:
    response = client.get(page, query_string={"lang": language})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}"' in html
    direction = "rtl" if language in ("ar", "fa") else "ltr"
    assert f'dir="{direction}"' in html
    assert "OpenMoji</a>, CC BY-SA 4.0" in html


def test_ui_strings_are_translated(client: FlaskClient) -> None:
    english = client.get("/join/ABCDEF?lang=en").get_data(as_text=True)
    russian = client.get("/join/ABCDEF?lang=ru").get_data(as_text=True)
    assert "Choose your language." in english
    assert "Выберите язык." in russian and "Choose your language." not in russian


def test_the_language_cookie_chooses_the_language(client: FlaskClient) -> None:
    client.set_cookie("sanapaja_lang", "ar")
    assert 'dir="rtl"' in client.get("/").get_data(as_text=True)
    client.set_cookie("sanapaja_lang", "xx")
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_openmoji_pictures_are_served(client: FlaskClient) -> None:
    response = client.get("/openmoji/26A0.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


@pytest.mark.parametrize(
    "code", ["26a0", "FFFFFF", "..%2F..%2Fetc%2Fpasswd", "26A0.svg", "-26A0", "X", "26A0-"]
)
def test_bad_openmoji_codes_are_404(client: FlaskClient, code: str) -> None:
    assert client.get(f"/openmoji/{code}.svg").status_code == 404


@pytest.mark.parametrize(
    "page", ["/nope", "/join/bad code!", "/join/O0O0O0", "/lesson/NOT-AN-ID", "/lesson/x"]
)
def test_unknown_pages_are_404(client: FlaskClient, page: str) -> None:
    assert client.get(page).status_code == 404


def test_every_catalog_translates_every_string() -> None:
    from babel.messages.pofile import read_po

    folder = Path(__file__).parents[2] / "tutor_server" / "translations"
    with (folder / "messages.pot").open("rb") as source:
        wanted = {message.id for message in read_po(source) if message.id}
    assert len(wanted) > 50
    for language in ("en", "ru", "uk", "et", "ar", "so", "fa"):
        with (folder / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = {message.id: message.string for message in read_po(source) if message.id}
        missing = sorted(wanted - {key for key, text in catalog.items() if text})
        assert not missing, (language, missing)


def test_an_unknown_join_code_is_said_before_a_language_or_a_name(client: FlaskClient) -> None:
    response = client.get("/join/ABCDEG?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This code is not known. Check it and try again." in html
    assert 'id="display-name"' not in html and 'class="languages"' not in html
    typed = client.get("/join", query_string={"code": " abcdef ", "lang": "so"})
    assert typed.status_code == 302
    assert typed.headers["Location"] == "/join/ABCDEF?lang=so"


def test_the_join_page_says_how_long_a_name_may_be(client: FlaskClient) -> None:
    html = client.get("/join/ABCDEF?lang=en").get_data(as_text=True)
    assert 'maxlength="40"' in html and "At most 40 letters." in html


def test_the_service_worker_is_served_at_the_root_named_after_the_app_files(
    client: FlaskClient,
) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    source = response.get_data(as_text=True)
    assert "sanapaja-shell-v1" not in source
    assert re.search(r'const SHELL = "sanapaja-shell-[0-9a-f]{12}";', source)
    with client.get("/static/learner/manifest.webmanifest") as manifest:
        assert manifest.status_code == 200
        assert manifest.json["start_url"] == "/"  # type: ignore[index]


@pytest.mark.parametrize("language", SUPPORT_LANGUAGES)
def test_the_offline_page_is_in_every_language(client: FlaskClient, language: str) -> None:
    html = client.get("/offline", query_string={"lang": language}).get_data(as_text=True)
    assert 'id="offline"' in html and f'<html lang="{language}"' in html
