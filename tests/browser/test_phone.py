"""What a learner on a phone met in issue 13, each seen in the browser: fresh data after
Back, the right answer shown after the last wrong try, the prompt stopped before the
microphone opens, Skip when a try was not heard, the sound bars, fill the gap, the line a
dialogue turn answers, the step counter, autoplay, pictures for icons, the join page, a
long home page, lessons in parts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from lessons.engine.steps import AnswerKind
from lessons.pack.model import StepKind
from speech.audio import SAMPLE_RATE, Audio, to_wav_bytes
from tests.browser.conftest import (
    ARTIFACTS,
    PHONE,
    SPOKEN_WORD,
    Server,
    click_right_answer,
    engine_step,
    launch,
    session_state,
)
from tests.browser.test_step_screens import api_step, open_lesson, strings

# Emoji and pictographs that a phone without an emoji font shows as empty boxes.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u23e9-\u23fa\u2b50\u2b55]")


def phone_lesson(
    browser: Browser, server: Server, language: str, lesson: str
) -> tuple[BrowserContext, Page, str, dict[str, str]]:
    """A learner on a phone with ``lesson`` open: the context, page, session id and the
    page's UI strings."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    session_id = open_lesson(page, server, language, lesson)
    return context, page, session_id, strings(page)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def advance(page: Page, server: Server, session_id: str) -> None:
    """Answer the current step right (a spoken one is skipped); wait for the next step."""
    state = session_state(server, session_id)
    step = state.current
    assert step is not None
    box = page.locator(f".step[data-step='{state.position}']")
    expect(box).to_be_visible()
    if step.answer_kind is AnswerKind.NONE:
        box.locator(".answer [data-action=next]").click()
    elif step.answer_kind is AnswerKind.SPEECH:
        box.locator(".answer [data-action=skip]").click()
    else:
        click_right_answer(box, step)
        box.locator(".feedback [data-action=next]").click()
    if state.position + 1 < len(state.steps):
        expect(page.locator(f".step[data-step='{state.position + 1}']")).to_be_visible()
    else:
        expect(page.locator("[data-finished=true]")).to_be_visible()


def advance_until(
    page: Page, server: Server, session_id: str, wanted: Callable[[Any], bool]
) -> Any:
    for _ in range(60):
        step = engine_step(server, session_id)
        assert step is not None, "the lesson ended before the step the test wants"
        if wanted(step):
            position = session_state(server, session_id).position
            expect(page.locator(f".step[data-step='{position}']")).to_be_visible()
            return step
        advance(page, server, session_id)
    raise AssertionError("no such step")


def finish_lesson(page: Page, server: Server, session_id: str) -> None:
    while engine_step(server, session_id) is not None:
        advance(page, server, session_id)
    expect(page.locator("[data-finished=true]")).to_be_visible()


def words_practised(server: Server) -> int:
    from sqlalchemy import select

    from tutor_server import db
    from tutor_server.models import Learner

    with server.app.app_context():
        learner = db.get_session().scalars(select(Learner)).one()
        return len(learner.schedule["cards"])  # type: ignore[arg-type]


def test_back_after_a_lesson_shows_what_the_server_has_now(
    browser: Browser, server: Server
) -> None:
    context, page, session_id, ui = phone_lesson(browser, server, "en", "siivous")
    finish_lesson(page, server, session_id)
    page.go_back()
    expect(page.locator("button.lesson[data-lesson='siivous'] .done")).to_be_visible()
    expect(page.locator("#words")).to_have_text(
        ui["words"].replace("%(n)s", str(words_practised(server)))
    )
    shot(page, "back-after-lesson")
    context.close()


def test_a_step_answered_elsewhere_is_said_and_the_server_step_shown(
    browser: Browser, server: Server
) -> None:
    context, page, session_id, ui = phone_lesson(browser, server, "en", "siivous")
    other = context.new_page()
    other.goto(page.url)
    advance(other, server, session_id)  # the other tab answers step 0
    page.locator(".step[data-step='0'] .answer [data-action=next]").click()
    expect(page.locator("#status")).to_have_text(ui["moved_on"])
    expect(page.locator(".step[data-step='1']")).to_be_visible()
    # Back and Forward: the page asks the server again instead of showing step 0.
    advance(page, server, session_id)
    page.go_back()
    page.go_forward()
    expect(page.locator(".step[data-step='2']")).to_be_visible()
    shot(page, "moved-on")
    context.close()


def wrong_twice_on_a_meaning(page: Page, step: Any) -> None:
    box = page.locator(".step[data-kind=listen_choose]")
    right = step.expected[0]
    wrong = [option.id for option in step.options if option.id != right]
    box.locator(f"button.option[data-option='{wrong[0]}']").click()
    expect(box.locator(".feedback [data-action=retry]")).to_be_visible()
    expect(box.locator(f"button.option[data-option='{right}']")).not_to_have_class(
        re.compile(r"\bright\b")
    )  # a try left: nothing given away
    box.locator(".feedback [data-action=retry]").click()
    box = page.locator(".step[data-kind=listen_choose]")
    box.locator(f"button.option[data-option='{wrong[1]}']").click()
    marked = box.locator(f"button.option[data-option='{right}']")
    expect(marked).to_have_class(re.compile(r"\bright\b"))
    meaning = next(option.gloss for option in step.options if option.id == right)
    expect(box.locator(".feedback .answer-gloss")).to_have_text(str(meaning))
    expect(box.locator(".feedback .answer-line b")).to_have_text(str(step.say))
    shot(page, "listen-choose-answer")
    box.locator(".feedback [data-action=next]").click()


def wrong_order_every_try(page: Page, step: Any) -> None:
    box = page.locator(".step[data-kind=order_words]")
    backwards = list(reversed(step.expected))
    for _ in range(step.max_attempts):
        for option in backwards:
            box.locator(f".bank [data-option='{option}']").click()
        box.locator("[data-action=check]").click()
        expect(box.locator(".feedback .verdict")).to_be_visible()
        retry = box.locator(".feedback [data-action=retry]")
        if retry.count():
            retry.click()
            box = page.locator(".step[data-kind=order_words]")
    words = {option.id: option.fi for option in step.options}
    expect(box.locator(".right-order .tile")).to_have_text([words[i] for i in step.expected])
    shot(page, "order-answer")
    box.locator(".feedback [data-action=next]").click()


def test_after_the_last_wrong_try_the_right_meaning_is_marked_and_the_order_built(
    browser: Browser, server: Server
) -> None:
    context, page, session_id, _ = phone_lesson(browser, server, "en", "siivous")
    checks = {
        StepKind.LISTEN_CHOOSE: wrong_twice_on_a_meaning,
        StepKind.ORDER_WORDS: wrong_order_every_try,
    }
    while checks:
        state = session_state(server, session_id)
        step = state.current
        assert step is not None, f"the lesson had no {list(checks)} step"
        expect(page.locator(f".step[data-step='{state.position}']")).to_be_visible()
        check = checks.pop(step.kind, None)
        if check is None:
            advance(page, server, session_id)
        else:
            check(page, step)
    context.close()


GET_USER_MEDIA = """
window.constraints = [];
const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (wanted) => {
  window.constraints.push(wanted);
  return getUserMedia(wanted);
};
"""


def test_speak_stops_the_prompt_and_records_with_echo_cancellation(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(GET_USER_MEDIA)
    page = context.new_page()
    session_id = open_lesson(page, server, "en", "siivous")
    advance_until(page, server, session_id, lambda s: s.answer_kind is AnswerKind.SPEECH)
    box = page.locator(".step[data-answer=speech]")
    box.locator("[data-action=listen]").click()
    page.wait_for_function("() => !document.getElementById('player').paused")
    box.locator("[data-action=record]").click()
    page.wait_for_function("() => window.constraints.length > 0")
    assert page.evaluate("document.getElementById('player').paused")
    assert page.evaluate("window.constraints[0].audio.echoCancellation") is True
    expect(box.locator(".feedback .verdict")).to_be_visible(timeout=20_000)
    context.close()


def test_a_try_not_heard_can_be_skipped(
    playwright_driver: Playwright, server: Server, tmp_path: Path
) -> None:
    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(to_wav_bytes(Audio(np.zeros(3 * SAMPLE_RATE, dtype=np.float32))))
    browser = launch(playwright_driver, quiet)
    try:
        _, page, session_id, ui = phone_lesson(browser, server, "so", "siivous")
        advance_until(page, server, session_id, lambda s: s.answer_kind is AnswerKind.SPEECH)
        position = session_state(server, session_id).position
        box = page.locator(".step[data-answer=speech]")
        box.locator("[data-action=record]").click()
        expect(box.locator(".feedback .verdict")).to_have_text(ui["not_heard"], timeout=20_000)
        shot(page, "not-heard-so")
        box.locator(".feedback [data-action=skip]").click()
        expect(page.locator(f".step[data-step='{position + 1}']")).to_be_visible()
        assert session_state(server, session_id).outcomes[-1].skipped
    finally:
        browser.close()


def test_sound_bars_have_a_legend_say_what_was_expected_and_are_not_drawn_for_other_words(
    browser: Browser, server: Server
) -> None:
    context, page, session_id, ui = phone_lesson(browser, server, "en", "aanteet")
    seen_target = seen_other = False
    for _ in range(40):
        step = engine_step(server, session_id)
        if step is None or (seen_target and seen_other):
            break
        if step.answer_kind is not AnswerKind.SPEECH:
            advance(page, server, session_id)
            continue
        box = page.locator(".step[data-answer=speech]")
        box.locator("[data-action=record]").click()
        expect(box.locator(".feedback .verdict")).to_be_visible(timeout=20_000)
        if step.expected[0] == SPOKEN_WORD:
            seen_target = True
            expect(box.locator(".segment.legend .key")).to_have_text(
                [ui["bar.expected"], ui["bar.heard"]]
            )
            for label in box.locator(".segment.off .label").all_inner_texts():
                assert "should be" in label, label
            shot(page, "sound-bars")
        else:
            seen_other = True
            expect(box.locator(".heard-as")).to_be_visible()
            expect(box.locator(".segment")).to_have_count(0)
            shot(page, "sound-bars-other-word")
        box.locator(".feedback [data-action=skip], .feedback [data-action=next]").first.click()
    assert seen_target and seen_other
    context.close()


def test_fill_the_gap_plays_nothing_and_offers_words_without_capitals(
    browser: Browser, server: Server
) -> None:
    context, page, session_id, _ = phone_lesson(browser, server, "en", "siivous")
    step = advance_until(page, server, session_id, lambda s: s.kind is StepKind.FILL_GAP)
    box = page.locator(".step[data-kind=fill_gap]")
    expect(box.locator("p.fi")).to_contain_text("___")
    expect(box.locator("[data-action=listen]")).to_have_count(0)
    assert api_step(page, session_id)["audio_url"] is None  # nothing to play, nor autoplay
    for text in box.locator("button.option .fi").all_inner_texts():
        assert text[:1].islower(), text
    shot(page, "fill-gap")
    wrong = next(option.id for option in step.options if option.id != step.expected[0])
    for _ in range(step.max_attempts):
        box.locator(f"button.option[data-option='{wrong}']").click()
        expect(box.locator(".feedback .verdict")).to_be_visible()
        retry = box.locator(".feedback [data-action=retry]")
        if retry.count():
            retry.click()
    expect(box.locator(".feedback .answer-line b")).to_have_text(str(step.feedback.answer_fi))
    context.close()


def test_the_learners_dialogue_turn_shows_the_line_it_answers(
    browser: Browser, screens_server: Server
) -> None:
    context, page, session_id, _ = phone_lesson(browser, screens_server, "ar", "aamulla")
    advance(page, screens_server, session_id)
    advance(page, screens_server, session_id)  # the learner's first turn is skipped
    heard = engine_step(screens_server, session_id)
    advance(page, screens_server, session_id)
    box = page.locator(".step[data-kind=dialogue_turn][data-answer=speech]")
    expect(box.locator(".reply-to p.fi")).to_have_text(str(heard.show_fi))
    expect(box.locator(".reply-to .reply-speaker")).to_have_text(f"{heard.speaker}:")
    expect(box.locator(".reply-to [data-action=listen-line]")).to_be_visible()
    shot(page, "dialogue-reply-to-ar")
    context.close()


def test_a_lesson_shows_its_step_count_has_a_way_out_and_no_emoji(
    browser: Browser, server: Server
) -> None:
    context, page, session_id, ui = phone_lesson(browser, server, "fa", "siivous")
    total = len(session_state(server, session_id).steps)
    expect(page.locator("#step-count")).to_have_text(f"1 / {total}")
    advance(page, server, session_id)
    expect(page.locator("#step-count")).to_have_text(f"2 / {total}")
    expect(page.locator("#step-count")).to_have_attribute(
        "aria-label", ui["step_count"].replace("%(n)s", "2").replace("%(total)s", str(total))
    )
    for _ in range(12):
        step = engine_step(server, session_id)
        assert step is not None
        assert not EMOJI.search(page.locator("body").inner_text())
        if step.answer_kind is AnswerKind.SPEECH:
            break
        advance(page, server, session_id)
    icons = page.locator(".step img.icon")
    expect(icons.first).to_be_visible()
    for source in icons.evaluate_all("(images) => images.map((image) => image.naturalWidth)"):
        assert source > 0  # the picture loaded
    shot(page, "step-count-fa")
    page.click("#exit")
    expect(page.locator("button.lesson[data-lesson='siivous']")).to_be_visible()
    context.close()


REFUSE_AUTOPLAY = """
HTMLMediaElement.prototype.play = function () {
  return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
};
"""


def test_when_the_browser_refuses_to_play_the_learner_is_told_to_tap_listen(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_lesson(page, server, "en", "siivous")
    ui = strings(page)
    expect(page.locator(".step")).to_be_visible()
    page.add_init_script(REFUSE_AUTOPLAY)
    page.reload()
    expect(page.locator(".tap-to-listen")).to_have_text(ui["tap_listen"])
    shot(page, "tap-to-listen")
    context.close()


def test_a_review_says_review_done(browser: Browser, server: Server) -> None:
    from tests.browser.test_learner_app import make_everything_due

    context, page, session_id, ui = phone_lesson(browser, server, "en", "siivous")
    finish_lesson(page, server, session_id)
    make_everything_due(server)
    page.click("[data-action=home]")
    page.click("#start-review")
    page.wait_for_url("**/lesson/*")
    review_id = page.url.rsplit("/", 1)[1]
    assert len(session_state(server, review_id).steps) <= 20
    finish_lesson(page, server, review_id)
    expect(page.locator("[data-finished=true] h1")).to_have_text(re.compile(ui["review_done"]))
    shot(page, "review-done")
    page.click("[data-action=home]")
    expect(page.locator("#start-review")).to_be_hidden()  # every due word was reviewed
    context.close()


def test_an_unknown_join_code_is_said_at_once_and_the_name_limit_is_shown(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server.url}/join/ZZZZZZ?lang=uk")
    ui = strings(page)
    expect(page.locator("#unknown-code .error")).to_have_text(ui["unknown_code"])
    expect(page.locator("#display-name")).to_have_count(0)
    shot(page, "unknown-code-uk")
    page.fill("#join-code", server.code.lower())
    page.click("#code-again button[type=submit]")
    expect(page.locator("#display-name")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("#name-hint")).to_be_visible()
    expect(page.locator("#display-name")).to_have_attribute("maxlength", "40")
    context.close()
