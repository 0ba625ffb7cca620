"""The machine-readable protocol: an AsyncAPI 3 document and one JSON Schema per payload,
made from the message models. ``python -m robot_bridge.protocol_docs [FOLDER]`` writes them
(default docs/robot-protocol); a test checks that the files in the repository are current."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from robot_bridge import __version__
from robot_bridge.messages import AUDIO_SUFFIX, COMMANDS, EVENTS, Message, ProtocolError, Status
from robot_bridge.topics import ROOT

MESSAGES: tuple[type[Message], ...] = (Status, *EVENTS, *COMMANDS, ProtocolError)
DEFAULT_FOLDER = Path(__file__).resolve().parents[1] / "docs" / "robot-protocol"


def message_name(cls: type[Message]) -> str:
    """``cmd/say`` → ``cmd-say``: the schema's file name and the AsyncAPI message key."""
    return cls.SUFFIX.replace("/", "-")


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema (draft 2020-12) of every JSON payload."""
    schemas = {}
    for cls in MESSAGES:
        schema = cls.model_json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://sanapaja.fi/schemas/robot/v1/{message_name(cls)}.json",
            **schema,
        }
        schemas[f"{message_name(cls)}.json"] = schema
    return schemas


def _summary(cls: type[Message]) -> str:
    doc = (cls.__doc__ or cls.__name__).strip()
    return " ".join(doc.split())


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    robot_parameter = {
        "description": "The robot's id: lower-case letters, digits, '-' and '_'.",
    }
    for cls in MESSAGES:
        name = message_name(cls)
        messages[name] = {
            "name": cls.__name__,
            "title": cls.__name__,
            "summary": _summary(cls),
            "contentType": "application/json",
            "payload": {"$ref": f"schemas/{name}.json"},
            "bindings": {"mqtt": {"bindingVersion": "0.2.0"}},
        }
        channels[name] = {
            "address": f"{ROOT}/{{robotId}}/{cls.SUFFIX}",
            "parameters": {"robotId": dict(robot_parameter)},
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"mqtt": {"bindingVersion": "0.2.0"}},
        }
        if cls.RETAINED:
            channels[name]["description"] = "Retained. The robot's last will sets it lost."
        # The document describes the bridge: it receives what robots send, sends commands.
        action = "receive" if cls.DIRECTION == "robot_to_server" else "send"
        operations[f"{action}-{name}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
            "bindings": {"mqtt": {"bindingVersion": "0.2.0", "qos": 1, "retain": cls.RETAINED}},
        }
    messages["audio"] = {
        "name": "Audio",
        "title": "Audio",
        "summary": "One answer as one WAV file (16 kHz mono PCM), never a stream; published "
        "before the event/utterance that names its utterance_id.",
        "contentType": "audio/wav",
        "payload": {"type": "string", "format": "binary"},
    }
    channels["audio"] = {
        "address": f"{ROOT}/{{robotId}}/{AUDIO_SUFFIX.replace('utterance_id', 'utteranceId')}",
        "parameters": {
            "robotId": dict(robot_parameter),
            "utteranceId": {"description": "The id the robot gave this utterance."},
        },
        "messages": {"audio": {"$ref": "#/components/messages/audio"}},
    }
    operations["receive-audio"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/audio"},
        "messages": [{"$ref": "#/channels/audio/messages/audio"}],
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Sanapaja robot protocol",
            "version": f"1.0.0+bridge.{__version__}",
            "description": "How a robot tutor and the Sanapaja bridge talk over MQTT "
            "(3.1.1 or 5). Every JSON payload carries its schema version v. See "
            "docs/robot-protocol.md for the flow, timing and security.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:1883",
                "protocol": "mqtt",
                "protocolVersion": "5",
                "description": "Mosquitto next to the lesson server; per-robot accounts.",
            },
            "local-tls": {
                "host": "localhost:8883",
                "protocol": "mqtts",
                "protocolVersion": "5",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered_files() -> dict[str, str]:
    """Relative path → text of every generated file."""
    files = {
        "asyncapi.yaml": "# Generated by python -m robot_bridge.protocol_docs; do not edit.\n"
        + yaml.safe_dump(asyncapi_document(), sort_keys=False, allow_unicode=True, width=100)
    }
    for name, schema in json_schemas().items():
        files[f"schemas/{name}"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return files


def write(folder: Path) -> list[Path]:
    written = []
    for relative, text in rendered_files().items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    for path in write(folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
