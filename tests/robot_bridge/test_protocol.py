"""The protocol's messages, topics and machine-readable documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from robot_bridge import protocol_docs
from robot_bridge.messages import (
    BadMessage,
    Choice,
    Say,
    Show,
    ShowChoice,
    Status,
    Utterance,
    audio_topic,
    parse_from_robot,
)

FOLDER = protocol_docs.DEFAULT_FOLDER
TOPIC = "sanapaja/v1/robot/kahvio-1/"


def test_messages_name_and_match_their_topics() -> None:
    assert Say.topic(robot_id="kahvio-1") == TOPIC + "cmd/say"
    assert Say.is_topic(TOPIC + "cmd/say")
    assert not Say.is_topic(TOPIC + "cmd/show")
    assert not Say.is_topic("sanapaja/v1/robot/Bad Id/cmd/say")
    assert Status.topic_parts(TOPIC + "status") == {"robot_id": "kahvio-1"}
    assert audio_topic("kahvio-1", "u-7") == TOPIC + "audio/u-7"
    with pytest.raises(ValueError, match="robot id"):
        Say.topic(robot_id="../x")


def test_a_message_round_trips_through_its_payload() -> None:
    show = Show(
        id="c1",
        text="Lattia on liukas.",
        choices=[ShowChoice(id="o0", text="lattia", gloss="floor")],
        answer="choice",
    )
    back = Show.model_validate_json(show.payload())
    assert back == show and back.v == 1


@pytest.mark.parametrize(
    ("topic", "payload", "reason", "words"),
    [
        ("other/topic", b"{}", "bad_topic", "not under"),
        ("sanapaja/v1/robot/UPPER/status", b"{}", "bad_topic", "robot id"),
        (TOPIC + "event/dance", b"{}", "bad_topic", "unknown topic 'event/dance'"),
        (TOPIC + "event/said", b"{not json", "bad_json", "not JSON"),
        (TOPIC + "event/said", b"[1, 2]", "bad_payload", "JSON object"),
        (TOPIC + "event/said", b'{"v": 2, "command_id": "c"}', "unsupported_version", "v=1"),
        (TOPIC + "event/said", b'{"command_id": 5}', "bad_payload", "command_id"),
        (TOPIC + "event/said", b'{"command_id": "c", "x": 1}', "bad_payload", "x: Extra"),
        (TOPIC + "status", b'{"state": "dancing"}', "bad_payload", "state"),
        (TOPIC + "audio/u1", b"not a wav", "bad_payload", "WAV"),
        (TOPIC + "event/said", b" " * 70_000, "too_large", "at most"),
    ],
)
def test_malformed_messages_say_what_is_wrong(
    topic: str, payload: bytes, reason: str, words: str
) -> None:
    with pytest.raises(BadMessage) as caught:
        parse_from_robot(topic, payload)
    assert caught.value.reason == reason
    assert words in caught.value.message
    reply = caught.value.reply(topic, payload)
    assert reply.excerpt.isprintable() and len(reply.excerpt) <= 4 * 120


def test_well_formed_messages_parse() -> None:
    said = parse_from_robot(TOPIC + "event/said", b'{"v": 1, "command_id": "c9"}')
    assert said.robot_id == "kahvio-1" and said.message is not None
    utterance = parse_from_robot(
        TOPIC + "event/utterance",
        json.dumps({"command_id": "c2", "utterance_id": "u1", "duration_s": 1.5}).encode(),
    )
    assert isinstance(utterance.message, Utterance) and utterance.message.ended == "silence"
    audio = parse_from_robot(TOPIC + "audio/u1", b"RIFF\0\0\0\0WAVEfmt ")
    assert audio.utterance_id == "u1" and audio.audio is not None
    choice = parse_from_robot(TOPIC + "event/choice", b'{"command_id": "c3", "choice": "o1"}')
    assert isinstance(choice.message, Choice)


def test_generated_documents_are_current() -> None:
    for relative, text in protocol_docs.rendered_files().items():
        path = FOLDER / relative
        assert path.exists(), f"{path} is missing: run python -m robot_bridge.protocol_docs"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is out of date: run python -m robot_bridge.protocol_docs"
        )
    stale = {p.name for p in (FOLDER / "schemas").glob("*.json")} - {
        name for name in protocol_docs.json_schemas()
    }
    assert not stale, f"schemas of no message: {sorted(stale)}"


def _resolve(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        return json.loads((FOLDER / ref).read_text(encoding="utf-8"))
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_asyncapi_document_is_asyncapi_3_and_every_reference_resolves() -> None:
    document = yaml.safe_load((FOLDER / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert document["asyncapi"] == "3.0.0"
    assert {"title", "version"} <= set(document["info"])
    for name, channel in document["channels"].items():
        parameters = {p.strip("{}") for p in channel["address"].split("/") if p.startswith("{")}
        assert parameters == set(channel.get("parameters", {})), name
    for operation in document["operations"].values():
        assert operation["action"] in ("send", "receive")
        channel = _resolve(document, operation["channel"]["$ref"])
        assert channel in document["channels"].values()
    refs = _refs(document)
    assert len(refs) > 40
    for ref in refs:
        assert _resolve(document, ref) is not None, ref


@pytest.mark.parametrize("name", sorted(protocol_docs.json_schemas()))
def test_every_schema_is_a_valid_json_schema(name: str) -> None:
    schema = json.loads((FOLDER / "schemas" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["v"]["const"] == 1


def test_schemas_accept_what_the_models_make_and_refuse_what_they_refuse() -> None:
    schema = json.loads((FOLDER / "schemas" / "cmd-say.json").read_text(encoding="utf-8"))
    good = Say(id="c1", text="Kiitos!", expected_seconds=1.2, audio_url="http://x/a.wav")
    jsonschema.validate(good.to_dict(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good.to_dict(), "rate": 5}, schema)
    status = json.loads((FOLDER / "schemas" / "status.json").read_text(encoding="utf-8"))
    jsonschema.validate(Status.lost().to_dict(), status)


def test_the_document_names_every_topic_the_parser_takes(tmp_path: Path) -> None:
    document = yaml.safe_load((FOLDER / "asyncapi.yaml").read_text(encoding="utf-8"))
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert "sanapaja/v1/robot/{robotId}/audio/{utteranceId}" in addresses
    assert "sanapaja/v1/robot/{robotId}/error" in addresses
    assert protocol_docs.write(tmp_path)  # writing elsewhere works and makes the same files
    assert (tmp_path / "asyncapi.yaml").read_text() == (FOLDER / "asyncapi.yaml").read_text()
