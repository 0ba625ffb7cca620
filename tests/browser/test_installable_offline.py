"""The demo group's home page on a phone (all shipped packs), a lesson in parts, and the
installable app: a manifest, a service worker, a lesson finished offline that syncs later,
and the offline page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from lessons.engine.steps import AnswerKind
from tests.browser.conftest import (
    PHONE,
    Server,
    click_right_answer,
    engine_step,
    join,
    joined_at_home,
    serving,
    session_state,
)
from tests.browser.test_phone import advance, shot
from tests.browser.test_step_screens import open_lesson, strings
from tests.conftest import CONTENT, example_app

OUTBOX_EMPTY = "() => JSON.parse(localStorage.getItem('sanapaja.outbox') || '[]').length === 0"
NETWORK_DOWN = """async () => {
    try {
        await fetch("/offline", { cache: "no-store" });
        return false;
    } catch {
        return true;
    }
}"""
HOTEL = "hotelli-ja-majoitus"
LONG_LESSON = "hotellihuone"


@pytest.fixture
def demo_server(tmp_path: Path, doc_example_dir: Path) -> Iterator[Server]:
    """A server with every shipped pack and a group that learns them all."""
    from lessons.pack.discovery import find_pack_folders
    from tutor_server import db
    from tutor_server.groups import create_group
    from tutor_server.pack_store import store_pack

    app, _ = example_app(tmp_path, doc_example_dir, "Siivous A")
    folders, _ = find_pack_folders([CONTENT])
    with app.app_context(), db.transaction() as session:
        ids = [store_pack(session, folder).pack_id for folder in folders]
        code = create_group(session, "Demo", ids, 6).join_code
    with serving(app, code) as running:
        yield running


def test_the_demo_groups_home_fits_a_phone_with_levels_and_parts(
    browser: Browser, demo_server: Server
) -> None:
    context, page = joined_at_home(browser, demo_server, "en")
    cards = page.locator("details.pack")
    expect(cards).to_have_count(14, timeout=30_000)
    expect(page.locator("details.pack[open]")).to_have_count(1)
    shot(page, "home-demo")
    # The issue measured 14,500 px (14 packs unfolded); folded, a quarter of that at most,
    # however many lessons the open pack has.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 14_500 / 4, height
    open_pack = page.locator("details.pack[open]").evaluate("(card) => card.offsetHeight")
    assert height - open_pack < 2_400, (height, open_pack)
    expect(page.locator("details.pack[open] button.lesson .level").first).to_have_text("A1")

    hotel = page.locator(f"details.pack[data-pack='{HOTEL}']")
    if hotel.get_attribute("open") is None:
        hotel.locator("summary").click()
    page.click(f"button.lesson[data-lesson='{LONG_LESSON}']")
    page.wait_for_url("**/lesson/*")
    session_id = page.url.rsplit("/", 1)[1]
    state = session_state(demo_server, session_id)
    assert state.parts >= 2 and len(state.steps) <= 20
    while engine_step(demo_server, session_id) is not None:
        advance(page, demo_server, session_id)
    ui = strings(page)
    title = ui["part_done"].replace("%(n)s", "1").replace("%(total)s", str(state.parts))
    expect(page.locator("[data-finished=true] h1")).to_contain_text(title)
    expect(page.locator(".next-part")).to_have_text(ui["next_part"])
    shot(page, "part-done")
    page.click("[data-action=home]")
    part = page.locator(f"button.lesson[data-lesson='{LONG_LESSON}'] .part")
    expect(part).to_have_text(
        ui["lesson_part"].replace("%(n)s", "2").replace("%(total)s", str(state.parts))
    )
    expect(page.locator(f"details.pack[data-pack='{HOTEL}']")).to_have_attribute("open", "")
    shot(page, "home-part-2")
    context.close()


def test_the_app_is_installable(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    join(page, server, "en")
    # The join page (a first visit on a slow line) does not wait for the worker; home does.
    assert page.evaluate("navigator.serviceWorker.controller") is None
    page.click("#go-home")
    expect(page.locator("button.lesson").first).to_be_visible()
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(f"{server.url}{manifest_url}").json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert page.request.get(f"{server.url}{icon['src']}").ok, icon
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    context.close()


def test_a_lesson_is_finished_offline_and_syncs_later(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    session_id = open_lesson(page, server, "en", "siivous")
    ui = strings(page)
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    page.reload()  # the service worker now looks after the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    advance(page, server, session_id)
    steps = session_state(server, session_id).steps
    audio = {f"/api/v1/audio/{step.say}" for step in steps if step.say}
    page.wait_for_function(
        "async (n) => (await (await caches.open('sanapaja-audio')).keys()).length >= n",
        arg=len(audio) and 1,
    )
    online_position = session_state(server, session_id).position

    context.set_offline(True)
    # The emulation reaches requests that pass through the service worker a moment later.
    page.wait_for_function(NETWORK_DOWN)
    for index in range(online_position, len(steps)):
        step = steps[index]
        box = page.locator(f".step[data-step='{index}']")
        expect(box).to_be_visible()
        if index == online_position + 1:
            page.reload()  # a reload without a connection goes on where the learner was
            expect(box).to_be_visible()
        if step.answer_kind is AnswerKind.NONE:
            box.locator(".answer [data-action=next]").click()
        elif step.answer_kind is AnswerKind.SPEECH:
            box.locator(".answer [data-action=skip]").click()
        else:
            click_right_answer(box, step)
            expect(box.locator(".saved-offline")).to_have_text(ui["saved_offline"])
            shot(page, f"answer-saved-offline-{index}")
            box.locator(".feedback [data-action=next]").click()
    done = page.locator("[data-finished=true]")
    expect(done).to_be_visible()
    expect(done.locator(".saved-offline")).to_have_text(ui["done_offline"])
    shot(page, "lesson-done-offline")
    # Chromium's offline emulation sometimes lets the first request of a page reloaded
    # offline through; the lesson's end, at least, cannot have reached the server.
    assert not session_state(server, session_id).finished
    with server.app.app_context():
        from tutor_server import db as database
        from tutor_server.models import LessonSession as Record

        kept = database.get_session().get(Record, session_id)
        assert kept is not None and not kept.finished

    context.set_offline(False)
    page.wait_for_function(OUTBOX_EMPTY, timeout=30_000)
    state = session_state(server, session_id)
    assert state.finished and len(state.outcomes) == len(steps)
    assert all(outcome.correct or outcome.skipped for outcome in state.outcomes)
    from tutor_server import db
    from tutor_server.models import LessonSession

    with server.app.app_context():
        record = db.get_session().get(LessonSession, session_id)
        assert record is not None and record.finished
    context.close()


def test_a_page_the_phone_has_not_kept_shows_the_offline_page(
    browser: Browser, server: Server
) -> None:
    context, page = joined_at_home(browser, server, "ar")
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    page.wait_for_function("localStorage.getItem('sanapaja.offline-page') === 'ar'")
    context.set_offline(True)
    page.goto(f"{server.url}/join/{server.code}?lang=ar")
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "offline-page-ar")
    context.close()
