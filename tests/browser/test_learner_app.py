"""A learner on a phone: joins, does a whole lesson (speaking too), finishes, comes home."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from lessons.engine.steps import AnswerKind
from tests.browser.conftest import (
    ARTIFACTS,
    PHONE,
    SPOKEN_WORD,
    Server,
    click_right_answer,
    engine_step,
    join,
    joined_at_home,
)
from tutor_server import db


def answer_step(page: Page, server: Server, session_id: str, spoken: list[dict[str, Any]]) -> None:
    step = engine_step(server, session_id)
    box = page.locator(f".step[data-kind='{step.kind}']")
    expect(box).to_be_visible()
    if step.answer_kind is AnswerKind.NONE:
        box.locator("[data-action=next]").click()
        return
    click_right_answer(box, step)
    if step.answer_kind is AnswerKind.SPEECH:
        box.locator("[data-action=record]").click()
        verdict = box.locator(".verdict")
        expect(verdict).to_be_visible(timeout=20_000)
        shot = ARTIFACTS / f"speech-{step.expected[0]}.png"
        page.screenshot(path=str(shot), full_page=True)
        spoken.append(
            {
                "target": step.expected[0],
                "correct": verdict.get_attribute("data-correct"),
                "score": box.locator("[data-score]").get_attribute("data-score"),
                "heard_as": box.locator(".heard-as").all_inner_texts(),
                "segments": box.locator(".segment").count(),
            }
        )
        retry_skip = box.locator(".feedback [data-action=skip]")
        if retry_skip.count():
            retry_skip.click()
            return
    expect(box.locator(".verdict")).to_be_visible()
    box.locator(".feedback [data-action=next]").click()


def test_a_learner_joins_does_a_spoken_lesson_and_comes_home(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    join(page, server, "ru")
    page.screenshot(path=str(ARTIFACTS / "joined.png"))
    page.click("#go-home")
    lesson = page.locator("button.lesson[data-lesson='aanteet']")
    expect(lesson).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    lesson.click()
    page.wait_for_url("**/lesson/*")
    session_id = page.url.rsplit("/", 1)[1]
    spoken: list[dict[str, Any]] = []
    for _ in range(30):
        if page.locator("[data-finished=true]").count():
            break
        answer_step(page, server, session_id, spoken)
        page.wait_for_timeout(100)
        if engine_step(server, session_id) is None:
            break
    expect(page.locator("[data-finished=true]")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "lesson-done.png"), full_page=True)

    assert spoken, "the lesson had no spoken step"
    said = next(s for s in spoken if s["target"] == SPOKEN_WORD)
    assert said["score"] is not None
    other = [s for s in spoken if s["target"] != SPOKEN_WORD]
    for attempt in other:
        assert attempt["correct"] == "false", attempt
        assert any(SPOKEN_WORD in text for text in attempt["heard_as"]), attempt

    page.click("[data-action=home]")
    done = page.locator("button.lesson[data-lesson='aanteet'] .done")
    expect(done).to_be_visible()
    expect(page.locator("#streak")).to_contain_text("1")
    context.close()


def test_joining_in_arabic_is_right_to_left(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server.url}/join/{server.code}")
    page.click("a.language[lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    join(page, server, "ar")
    page.click("#go-home")
    expect(page.locator("button.lesson[data-lesson='siivous']")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#start-review")).to_be_hidden()  # nothing is due yet
    page.screenshot(path=str(ARTIFACTS / "home-ar.png"), full_page=True)
    context.close()


def do_lesson(page: Page, server: Server, steps_at_most: int = 80) -> list[dict[str, Any]]:
    page.wait_for_url("**/lesson/*")
    session_id = page.url.rsplit("/", 1)[1]
    spoken: list[dict[str, Any]] = []
    for _ in range(steps_at_most):
        if page.locator("[data-finished=true]").count() or engine_step(server, session_id) is None:
            break
        answer_step(page, server, session_id, spoken)
        page.wait_for_timeout(100)
    expect(page.locator("[data-finished=true]")).to_be_visible()
    return spoken


def make_everything_due(server: Server) -> None:
    """Let time pass: every word the learners practised is due for review now."""
    from sqlalchemy import select

    from tutor_server.models import Learner

    with server.app.app_context(), db.transaction() as session:
        for learner in session.scalars(select(Learner)):
            cards = {
                ref: {**card, "due": "2020-01-01T00:00:00+00:00"}
                for ref, card in learner.schedule["cards"].items()  # type: ignore[union-attr]
            }
            learner.schedule = {**learner.schedule, "cards": cards}


def test_an_arabic_learner_does_a_lesson_and_comes_back_to_a_due_review(
    browser: Browser, server: Server
) -> None:
    context, page = joined_at_home(browser, server, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.click("button.lesson[data-lesson='siivous']")
    do_lesson(page, server)
    page.screenshot(path=str(ARTIFACTS / "lesson-done-ar.png"), full_page=True)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.click("[data-action=home]")
    expect(page.locator("#start-review")).to_be_hidden()  # just practised: nothing due yet

    make_everything_due(server)
    page.reload()
    review = page.locator("#start-review")
    expect(review).to_be_visible()
    expect(page.locator("#due-text")).to_contain_text("4")
    page.screenshot(path=str(ARTIFACTS / "review-due-ar.png"), full_page=True)
    review.click()
    do_lesson(page, server)
    page.click("[data-action=home]")
    expect(page.locator("#start-review")).to_be_hidden()
    context.close()
