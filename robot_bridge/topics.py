"""Topic names: ``sanapaja/v1/robot/<robot_id>/<suffix>``, one subtree per robot."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROOT = "sanapaja/v1/robot"
ROBOT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
SEGMENT = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class TopicError(ValueError):
    """A topic outside the protocol, or with a bad robot id."""


@dataclass(frozen=True)
class ParsedTopic:
    robot_id: str
    suffix: str  # the part after the robot id, e.g. ``event/said`` or ``audio/u1``


def robot_root(robot_id: str) -> str:
    return f"{ROOT}/{robot_id}"


def robot_id_of(topic: str) -> str | None:
    """The robot id of a topic under the root, valid or not (None when there is none)."""
    if not topic.startswith(ROOT + "/"):
        return None
    robot_id = topic[len(ROOT) + 1 :].split("/", 1)[0]
    return robot_id if ROBOT_ID.match(robot_id) else None


def parse_topic(topic: str) -> ParsedTopic:
    if not topic.startswith(ROOT + "/"):
        raise TopicError(f"not under {ROOT}/")
    rest = topic[len(ROOT) + 1 :]
    robot_id, _, suffix = rest.partition("/")
    if not ROBOT_ID.match(robot_id):
        raise TopicError("robot id: lower-case letters, digits, '-' and '_', at most 63")
    if not suffix:
        raise TopicError("nothing after the robot id")
    if not all(SEGMENT.match(part) for part in suffix.split("/")):
        raise TopicError("a topic level is empty, too long or has other characters")
    return ParsedTopic(robot_id, suffix)


def valid_robot_id(robot_id: str) -> bool:
    return bool(ROBOT_ID.match(robot_id))
