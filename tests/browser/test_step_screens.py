"""The screens the whole-lesson tests do not reach: match pairs, a dialogue, minimal pairs,
the slow listen button and the draft note on option glosses."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from lessons.engine.steps import AnswerKind
from lessons.pack.model import StepKind
from tests.browser.conftest import ARTIFACTS, PHONE, Server, engine_step, join, session_state

GREETING = "Huomenta!"


def open_lesson(page: Page, server: Server, language: str, lesson: str) -> str:
    """Join the group, start ``lesson`` from home; returns the session id."""
    join(page, server, language)
    page.click("#go-home")
    page.click(f"button.lesson[data-lesson='{lesson}']")
    page.wait_for_url("**/lesson/*")
    return page.url.rsplit("/", 1)[1]


def strings(page: Page) -> dict[str, str]:
    """The page's UI strings in the learner's language."""
    result: dict[str, str] = page.evaluate("window.SANAPAJA.strings")
    return result


def api_step(page: Page, session_id: str) -> dict[str, Any]:
    """The current step as the API gives it to the page."""
    step: dict[str, Any] = page.evaluate(
        """async (id) => {
            const headers = { Authorization: `Bearer ${localStorage.getItem("sanapaja.token")}` };
            const response = await fetch(`/api/v1/sessions/${id}`, { headers });
            return (await response.json()).step;
        }""",
        session_id,
    )
    return step


def step_box(page: Page, kind: StepKind) -> Locator:
    box = page.locator(f".step[data-kind='{kind}']")
    expect(box).to_be_visible()
    return box


def at_step(page: Page, index: int) -> Locator:
    box = page.locator(f".step[data-step='{index}']")
    expect(box).to_be_visible()
    return box


def pair_up(box: Locator, pairs: list[tuple[str, str]]) -> None:
    for left, right in pairs:
        box.locator(f"[data-left='{left}']").click()
        box.locator(f"[data-right='{right}']").click()


@pytest.mark.parametrize(("language", "drafts"), [("ru", True), ("en", False)])
def test_matching_pairs_a_wrong_match_then_the_right_one(
    browser: Browser, screens_server: Server, language: str, drafts: bool
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    session_id = open_lesson(page, screens_server, language, "parit")
    ui = strings(page)
    box = step_box(page, StepKind.MATCH_PAIRS)
    step = engine_step(screens_server, session_id)
    meaning_of = dict(pair.split("=", 1) for pair in step.expected)
    words = list(meaning_of)
    glosses = {option.id: option.gloss for option in step.right_options}
    expect(box.locator(".prompt")).to_have_text(ui["step.match_pairs"])
    expect(box.locator("[data-left] .fi")).to_have_text([o.fi for o in step.options])
    expect(box.locator("[data-right] .gloss")).to_have_text([o.gloss for o in step.right_options])
    note = box.locator(".draft-note")
    if drafts:
        expect(note).to_have_text(ui["draft"])
    else:
        expect(note).to_have_count(0)
    # One note for the group: the tiles themselves carry no draft mark.
    expect(box.locator(".tile .draft")).to_have_count(0)
    check = box.locator("[data-action=check]")
    expect(check).to_be_disabled()

    # A tapped word is chosen; a meaning tapped next pairs with it (both get one colour);
    # tapping a paired word again undoes its pair.
    first, first_wrong = words[0], meaning_of[words[1]]
    box.locator(f"[data-left='{first}']").click()
    expect(box.locator(f"[data-left='{first}']")).to_have_class("tile chosen")
    box.locator(f"[data-right='{first_wrong}']").click()
    expect(box.locator(f"[data-left='{first}']")).to_have_class("tile pair-a")
    expect(box.locator(f"[data-right='{first_wrong}']")).to_have_class("tile pair-a")
    box.locator(f"[data-left='{first}']").click()
    expect(box.locator(f"[data-right='{first_wrong}']")).to_have_class("tile")

    # The first two words' meanings swapped: Check opens once every word has a pair.
    wrong = [
        (words[0], meaning_of[words[1]]),
        (words[1], meaning_of[words[0]]),
        (words[2], meaning_of[words[2]]),
    ]
    pair_up(box, wrong)
    expect(box.locator(f"[data-right='{meaning_of[words[2]]}']")).to_have_class("tile pair-c")
    page.screenshot(path=str(ARTIFACTS / f"match-pairs-{language}.png"), full_page=True)
    expect(check).to_be_enabled()
    check.click()
    verdict = box.locator(".feedback .verdict")
    expect(verdict).to_have_attribute("data-correct", "false")
    expect(verdict).to_have_text(ui["feedback.wrong"])
    # The board stays in view with the learner's pairs; Check gives way to Try again.
    expect(box.locator(f"[data-right='{first_wrong}']")).to_have_class("tile pair-a")
    expect(check).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"match-pairs-wrong-{language}.png"), full_page=True)
    state = session_state(screens_server, session_id)
    assert (state.position, state.attempts) == (0, 1)

    # Try again: a fresh board, then every word with its meaning.
    box.locator("[data-action=retry]").click()
    box = step_box(page, StepKind.MATCH_PAIRS)
    expect(box.locator(".tile.pair-a")).to_have_count(0)
    expect(box.locator("[data-action=check]")).to_be_disabled()
    pair_up(box, list(meaning_of.items()))
    for word, meaning in meaning_of.items():
        colour = box.locator(f"[data-left='{word}']").get_attribute("class")
        expect(box.locator(f"[data-right='{meaning}']")).to_have_class(str(colour))
        expect(box.locator(f"[data-right='{meaning}'] .gloss")).to_have_text(str(glosses[meaning]))
    box.locator("[data-action=check]").click()
    expect(box.locator(".feedback .verdict")).to_have_attribute("data-correct", "true")
    expect(box.locator(".feedback .verdict")).to_have_text(ui["feedback.correct"])
    state = session_state(screens_server, session_id)
    assert state.position == 1
    assert (state.outcomes[0].correct, state.outcomes[0].attempts) == (True, 2)

    box.locator(".feedback [data-action=next]").click()
    box = step_box(page, StepKind.LISTEN_CHOOSE)
    note = box.locator(".draft-note")
    if drafts:
        expect(note).to_have_text(ui["draft"])
    else:
        expect(note).to_have_count(0)
    context.close()


def test_a_dialogue_listened_lines_a_spoken_turn_and_a_skipped_one(
    browser_saying: Callable[[str], Browser], screens_server: Server
) -> None:
    context = browser_saying(GREETING).new_context(viewport=PHONE)
    page = context.new_page()
    session_id = open_lesson(page, screens_server, "ru", "aamulla")
    ui = strings(page)

    # 1. The instructor says good morning: speaker, Finnish, a draft Russian gloss.
    box = step_box(page, StepKind.DIALOGUE_TURN)
    expect(box).to_have_attribute("data-answer", "none")
    expect(box.locator(".prompt")).to_have_text(ui["step.dialogue_turn"])
    expect(box.locator(".speaker")).to_have_text("инструктор:")
    expect(box.locator("p.fi")).to_have_text(GREETING)
    expect(box.locator("p.gloss")).to_have_text(f"Доброе утро!{ui['draft']}")
    expect(box.locator("p.gloss .draft")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dialogue-listened.png"), full_page=True)
    box.locator("[data-action=next]").click()

    # 2. The learner's turn: they say it into the microphone and the server scores it.
    box = page.locator(".step[data-kind=dialogue_turn][data-answer=speech]")
    expect(box).to_be_visible()
    assert session_state(screens_server, session_id).position == 1
    expect(box.locator(".prompt")).to_have_text(ui["step.dialogue_turn.learner"])
    expect(box.locator(".speaker")).to_have_count(0)
    expect(box.locator(":scope > p.fi")).to_have_text(GREETING)
    expect(box.locator(".reply-to p.fi")).to_have_text(GREETING)  # the line it answers
    box.locator("[data-action=record]").click()
    verdict = box.locator(".feedback .verdict")
    expect(verdict).to_be_visible(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "dialogue-spoken.png"), full_page=True)
    expect(verdict).to_have_attribute("data-correct", "true")
    score = int(str(box.locator("[data-score]").get_attribute("data-score")))
    assert score >= 70
    expect(box.locator(".feedback [data-action=my-try]")).to_be_visible()
    state = session_state(screens_server, session_id)
    assert state.position == 2
    assert state.outcomes[1].correct
    assert (state.outcomes[1].score, state.outcomes[1].attempts) == (score, 1)
    box.locator(".feedback [data-action=next]").click()

    # 3. A line in standard Finnish with its everyday spoken form under it.
    box = page.locator(".step[data-kind=dialogue_turn][data-answer=none]")
    expect(box.locator("p.fi:not(.spoken)")).to_have_text("Voitko auttaa?")
    expect(box.locator("p.fi.spoken")).to_have_text("(Voitsä auttaa?)")
    expect(box.locator(".speaker")).to_have_text("инструктор:")
    line = engine_step(screens_server, session_id)
    expect(box.locator("p.gloss")).to_have_text(f"{line.gloss}{ui['draft']}")
    page.screenshot(path=str(ARTIFACTS / "dialogue-spoken-form.png"), full_page=True)
    box.locator("[data-action=next]").click()

    # 4. The learner should say "Tulen heti." but the microphone says good morning again:
    #    a wrong try, then the learner skips the turn and the lesson is over.
    box = page.locator(".step[data-kind=dialogue_turn][data-answer=speech]")
    expect(box.locator(":scope > p.fi")).to_have_text("Tulen heti.")
    box.locator("[data-action=record]").click()
    verdict = box.locator(".feedback .verdict")
    expect(verdict).to_be_visible(timeout=20_000)
    expect(verdict).to_have_attribute("data-correct", "false")
    expect(box.locator(".feedback [data-action=retry]")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dialogue-wrong.png"), full_page=True)
    state = session_state(screens_server, session_id)
    assert (state.position, state.attempts) == (3, 1)
    box.locator(".feedback [data-action=skip]").click()
    expect(page.locator("[data-finished=true]")).to_be_visible()
    state = session_state(screens_server, session_id)
    assert state.finished
    assert state.outcomes[3].skipped
    assert not state.outcomes[3].correct
    assert [o.correct for o in state.outcomes[:3]] == [True, True, True]
    context.close()


# Every play() of an audio element, with its source and speed, for the tests to read.
RECORD_PLAYS = """
window.plays = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.plays.push({ src: this.src, rate: this.playbackRate });
  return play.call(this);
};
"""


def last_play(page: Page) -> dict[str, Any]:
    played: dict[str, Any] = page.evaluate("window.plays.at(-1)")
    return played


def test_the_slow_button_plays_the_slowly_spoken_audio(
    browser: Browser, screens_server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(RECORD_PLAYS)
    page = context.new_page()
    session_id = open_lesson(page, screens_server, "ru", "aamulla")
    box = step_box(page, StepKind.DIALOGUE_TURN)
    step = api_step(page, session_id)
    assert step["slow_audio_url"] not in (None, step["audio_url"])
    with page.expect_request(lambda request: request.url.endswith(step["slow_audio_url"])) as slow:
        box.locator("[data-action=listen-slowly]").click()
    response = slow.value.response()
    assert response is not None
    assert response.status == 200
    assert response.header_value("content-type") == "audio/wav"
    assert last_play(page) == {"src": screens_server.url + step["slow_audio_url"], "rate": 1}
    context.close()


def test_without_slow_audio_the_slow_button_plays_the_audio_slower(
    browser: Browser, screens_server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(RECORD_PLAYS)
    page = context.new_page()

    def without_slow_audio(route: Route) -> None:
        session = route.fetch().json()
        session["step"]["slow_audio_url"] = None
        route.fulfill(json=session)

    page.route("**/api/v1/sessions/*", without_slow_audio)
    session_id = open_lesson(page, screens_server, "ru", "aamulla")
    box = step_box(page, StepKind.DIALOGUE_TURN)
    audio_url = api_step(page, session_id)["audio_url"]
    box.locator("[data-action=listen-slowly]").click()
    assert last_play(page) == {"src": screens_server.url + audio_url, "rate": 0.75}
    context.close()


def test_a_minimal_pair_shows_meanings_once_marked_draft_and_the_answer_when_wrong(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    session_id = open_lesson(page, server, "ru", "aanteet")
    ui = strings(page)
    # Skip to the first minimal pair: presentations go on, spoken steps are skipped.
    for _ in range(10):
        state = session_state(server, session_id)
        step = state.current
        if step.kind is StepKind.MINIMAL_PAIR:
            break
        box = at_step(page, state.position)
        action = "next" if step.answer_kind is AnswerKind.NONE else "skip"
        box.locator(f".answer [data-action={action}]").click()
        at_step(page, state.position + 1)
    position = session_state(server, session_id).position
    box = step_box(page, StepKind.MINIMAL_PAIR)
    expect(box.locator(".prompt")).to_have_text(ui["step.minimal_pair"])
    expect(box.locator("p.fi")).to_have_count(0)  # heard, not shown
    for option in step.options:
        button = box.locator(f"button.option[data-option='{option.id}']")
        expect(button.locator(".fi")).to_have_text(str(option.fi))
        expect(button.locator(".gloss.small")).to_have_text(str(option.gloss))
    expect(box.locator(".draft-note")).to_have_text(ui["draft"])
    expect(box.locator("button.option .draft")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "minimal-pair.png"), full_page=True)

    said = step.expected[0]
    other = next(option for option in step.options if option.id != said)
    box.locator(f"button.option[data-option='{other.id}']").click()
    expect(box.locator(f"button.option[data-option='{other.id}']")).to_have_class(
        re.compile(r"\bwrong\b")
    )
    expect(box.locator(".feedback .verdict")).to_have_attribute("data-correct", "false")
    said_fi = next(option.fi for option in step.options if option.id == said)
    expect(box.locator(".feedback b")).to_have_text(str(said_fi))
    expect(box.locator(".feedback [data-action=retry]")).to_have_count(0)  # one try only
    page.screenshot(path=str(ARTIFACTS / "minimal-pair-wrong.png"), full_page=True)
    state = session_state(server, session_id)
    assert state.position == position + 1
    assert not state.outcomes[-1].correct
    box.locator(".feedback [data-action=next]").click()
    expect(step_box(page, StepKind.MINIMAL_PAIR)).to_have_attribute("data-answer", "choice")
    context.close()
