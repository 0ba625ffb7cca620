"""A learner's privacy on a phone: consent to keep recordings, download my data, delete me."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from lessons.engine.steps import AnswerKind
from tests.browser.conftest import ARTIFACTS, PHONE, Server, engine_step, joined_at_home
from tests.browser.test_learner_app import answer_step
from tutor_server import db
from tutor_server.cli import main
from tutor_server.groups import set_recording
from tutor_server.models import Attempt, Learner, LessonSession, Recording


def switch_recording(server: Server, enabled: bool) -> None:
    with server.app.app_context(), db.transaction() as session:
        set_recording(session, server.code, enabled)


def learner_row(server: Server) -> Learner | None:
    with server.app.app_context():
        return db.get_session().scalar(select(Learner))


def stored_recordings(server: Server) -> list[bytes]:
    with server.app.app_context():
        return list(db.get_session().scalars(select(Recording.wav)))


def stored_answers(server: Server) -> int:
    with server.app.app_context():
        count = db.get_session().scalar(select(func.count()).select_from(Attempt))
        assert count is not None
        return count


def speak_once(page: Page, server: Server) -> dict[str, Any]:
    """Start the pronunciation lesson and answer steps up to and including the first spoken one."""
    page.click("button.lesson[data-lesson='aanteet']")
    page.wait_for_url("**/lesson/*")
    session_id = page.url.rsplit("/", 1)[1]
    spoken: list[dict[str, Any]] = []
    for _ in range(30):
        step = engine_step(server, session_id)
        assert step is not None, "the lesson ended without a spoken step"
        answer_step(page, server, session_id, spoken)
        if step.answer_kind is AnswerKind.SPEECH:
            break
        page.wait_for_timeout(100)
    assert spoken and spoken[0]["score"] is not None, spoken
    return spoken[0]


def consent_box(page: Page) -> Any:
    return page.locator("#recording-consent")


def test_a_learner_who_agrees_has_their_recording_kept(browser: Browser, server: Server) -> None:
    switch_recording(server, True)
    context, page = joined_at_home(browser, server, "en")
    expect(page.locator("#recording-on")).to_be_visible()
    expect(page.locator("#recording-off")).to_be_hidden()
    expect(consent_box(page)).not_to_be_checked()
    expect(page.locator("#consent-state")).to_have_text("Your recordings are not kept.")
    switch = page.locator("label.consent")
    box = switch.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 300, box

    switch.locator("span").click()  # the whole label is the touch target
    expect(page.locator("#consent-state")).to_have_text("Saved. Your recordings are kept.")
    page.reload()
    expect(consent_box(page)).to_be_checked()
    expect(page.locator("#consent-state")).to_have_text("Your recordings are kept.")
    page.locator("#recordings").screenshot(path=str(ARTIFACTS / "privacy-consent-on.png"))
    learner = learner_row(server)
    assert learner is not None and learner.recording_consent

    speak_once(page, server)
    recordings = stored_recordings(server)
    assert len(recordings) == 1
    assert recordings[0][:4] == b"RIFF" and recordings[0][8:12] == b"WAVE"
    context.close()


def test_without_consent_no_recording_is_kept(browser: Browser, server: Server) -> None:
    context, page = joined_at_home(browser, server, "en")
    expect(page.locator("#recording-off")).to_have_text(
        "Your group does not keep recordings. The app scores your voice and then deletes it."
    )
    expect(consent_box(page)).to_be_hidden()

    switched = server.app.test_cli_runner().invoke(main, ["groups", "recording", server.code, "on"])
    assert switched.exit_code == 0, switched.output
    page.reload()
    expect(consent_box(page)).to_be_visible()
    consent_box(page).check()
    expect(page.locator("#consent-state")).to_have_text("Saved. Your recordings are kept.")
    consent_box(page).uncheck()
    expect(page.locator("#consent-state")).to_have_text("Saved. Your recordings are not kept.")
    page.reload()
    expect(consent_box(page)).not_to_be_checked()
    learner = learner_row(server)
    assert learner is not None and not learner.recording_consent

    speak_once(page, server)
    assert stored_answers(server) > 0
    assert stored_recordings(server) == []
    context.close()


def test_a_persian_learner_downloads_their_data_and_deletes_themself(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    switch_recording(server, True)
    context, page = joined_at_home(browser, server, "fa")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    consent_box(page).check()
    expect(page.locator("#consent-state")).to_contain_text("ذخیره شد.")
    speak_once(page, server)
    page.goto(server.url)
    expect(page.locator("#my-data")).to_be_visible()

    # Right to left on a phone: the switch sits at the right, nothing is wider than the screen.
    switch = page.locator("label.consent")
    tick = consent_box(page).bounding_box()
    words = switch.locator("span").bounding_box()
    assert tick is not None and words is not None and tick["x"] > words["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "privacy-home-fa.png"), full_page=True)

    with page.expect_download() as downloading:
        page.click("#export")
    download = downloading.value
    assert download.suggested_filename.endswith(".json")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    with server.app.app_context():
        session_ids = set(db.get_session().scalars(select(LessonSession.id)))
    assert exported["learner"]["display_name"] == "Olga"
    assert len(exported["answers"]) == stored_answers(server) > 0
    assert {answer["session_id"] for answer in exported["answers"]} <= session_ids
    assert len(exported["recordings"]) == 1

    token = page.evaluate("localStorage.getItem('sanapaja.token')")
    assert token
    page.click("#delete-me")
    expect(page.locator("#delete-confirm")).to_be_visible()
    page.locator("#my-data").screenshot(path=str(ARTIFACTS / "privacy-delete-confirm-fa.png"))
    page.click("#delete-cancel")
    expect(page.locator("#delete-confirm")).to_be_hidden()
    assert learner_row(server) is not None

    page.click("#delete-me")
    page.click("#delete-yes")
    expect(page.locator("#deleted")).to_have_text("اطلاعات شما حذف شد.")
    expect(page.locator("#signed-out")).to_be_visible()
    expect(page.locator("#signed-in")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "privacy-deleted-fa.png"), full_page=True)
    assert page.evaluate("localStorage.getItem('sanapaja.token')") is None
    me = page.request.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 401
    assert learner_row(server) is None
    assert stored_recordings(server) == [] and stored_answers(server) == 0
    context.close()
