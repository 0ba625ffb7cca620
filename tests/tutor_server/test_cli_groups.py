"""`sanapaja groups list` and `sanapaja groups recording` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from tutor_server import db
from tutor_server.cli import main
from tutor_server.groups import create_group
from tutor_server.models import Group, Learner
from tutor_server.pack_store import store_pack


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def codes(app: Flask, doc_example_dir: Path) -> dict[str, str]:
    """Two groups of the example pack; 'Siivous A' has two learners. Names to join codes."""
    with app.app_context(), db.transaction() as session:
        store_pack(session, doc_example_dir)
        first = create_group(session, "Siivous A", ["esimerkki"], 6)
        second = create_group(session, "Keittiö B", ["esimerkki"], 6)
        for number in range(2):
            session.add(
                Learner(
                    public_id=f"learner{number}",
                    group_id=first.id,
                    display_name=f"Learner {number}",
                    support_language="en",
                    token_hash=f"token{number}",
                    recovery_hash=f"recovery{number}",
                    schedule={},
                )
            )
        return {first.name: first.join_code, second.name: second.join_code}


def recording_enabled(app: Flask, code: str) -> bool:
    with app.app_context():
        group = db.get_session().scalar(select(Group).where(Group.join_code == code))
        assert group is not None
        return group.recording_enabled


def test_list_without_groups_says_how_to_make_one(runner: FlaskCliRunner) -> None:
    result = runner.invoke(main, ["groups", "list"])
    assert result.exit_code == 0, result.output
    assert result.output == "No groups yet. Create one: sanapaja groups create NAME --pack ID\n"


def test_list_shows_one_line_per_group(runner: FlaskCliRunner, codes: dict[str, str]) -> None:
    result = runner.invoke(main, ["groups", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{codes['Siivous A']}  'Siivous A'  packs: esimerkki  recording: off  learners: 2",
        f"{codes['Keittiö B']}  'Keittiö B'  packs: esimerkki  recording: off  learners: 0",
    ]


def test_recording_on_and_off_is_stored(
    app: Flask, runner: FlaskCliRunner, codes: dict[str, str]
) -> None:
    code = codes["Siivous A"]
    switched_on = runner.invoke(main, ["groups", "recording", code.lower(), "on"])
    with app.app_context(), db.transaction() as session:
        for learner in session.scalars(select(Learner)):
            learner.recording_consent = True
    assert switched_on.exit_code == 0, switched_on.output
    lines = switched_on.output.splitlines()
    assert lines[0] == f"Group 'Siivous A' ({code}): recording is now on (was off)."
    assert "each learner must still switch it on" in lines[1]
    assert recording_enabled(app, code)
    assert not recording_enabled(app, codes["Keittiö B"])
    listed = runner.invoke(main, ["groups", "list"]).output.splitlines()
    assert "recording: on" in listed[0] and "recording: off" in listed[1]

    again = runner.invoke(main, ["groups", "recording", code, "on"])
    assert again.exit_code == 0, again.output
    assert again.output.startswith(f"Group 'Siivous A' ({code}): recording was already on;")
    assert recording_enabled(app, code)

    switched_off = runner.invoke(main, ["groups", "recording", code, "off"])
    assert switched_off.exit_code == 0, switched_off.output
    assert switched_off.output.splitlines() == [
        f"Group 'Siivous A' ({code}): recording is now off (was on).",
        "Every learner's agreement is withdrawn: if recording is switched on again, "
        "each learner is asked anew.",
        "Recordings kept so far stay until the learner deletes their data.",
    ]
    assert not recording_enabled(app, code)
    with app.app_context():
        consents = db.get_session().scalars(select(Learner.recording_consent)).all()
    assert consents == [False, False]


def test_an_unknown_code_is_one_line_on_stderr_and_exit_1(
    app: Flask, runner: FlaskCliRunner, codes: dict[str, str]
) -> None:
    result = runner.invoke(main, ["groups", "recording", "ZZZZZZ", "on"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no group has the join code 'ZZZZZZ' (see: sanapaja groups list)\n"
    )
    assert not any(recording_enabled(app, code) for code in codes.values())


@pytest.mark.parametrize("value", ["yes", "ON", "true", "1"])
def test_a_bad_state_is_rejected_by_click(
    app: Flask, runner: FlaskCliRunner, codes: dict[str, str], value: str
) -> None:
    code = codes["Siivous A"]
    result = runner.invoke(main, ["groups", "recording", code, value])
    assert result.exit_code == 2
    assert f"'{value}' is not one of 'on', 'off'" in result.stderr
    assert not recording_enabled(app, code)


def test_the_commands_have_help_from_their_docstrings(runner: FlaskCliRunner) -> None:
    overview = runner.invoke(main, ["groups", "--help"]).output
    assert "list" in overview and "recording" in overview
    help_text = runner.invoke(main, ["groups", "recording", "--help"]).output
    assert "Switch recording on or off for the group with join code CODE." in help_text
