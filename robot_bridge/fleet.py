"""The broker's side of the fleet: Mosquitto's password and ACL files, and the bridge's own
file of credentials (its MQTT account and each robot's API token).

A robot may publish only its own ``status``, ``event/…`` and ``audio/…`` and read only its
own ``cmd/…`` and ``error``; the bridge has its own account for every robot's subtree.
Passwords are stored as Mosquitto 2's PBKDF2-SHA512 hashes (``$7$``), the format
``mosquitto_passwd`` writes; the broker rereads both files on SIGHUP.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robot_bridge.topics import ROOT, valid_robot_id

BRIDGE_USER = "sanapaja-bridge"
ITERATIONS = 101  # mosquitto_passwd's default


class FleetError(ValueError):
    pass


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, ITERATIONS)
    encode = base64.b64encode
    return f"$7${ITERATIONS}${encode(salt).decode()}${encode(digest).decode()}"


def robot_acl(robot_id: str) -> list[str]:
    root = f"{ROOT}/{robot_id}"
    return [
        f"user {robot_id}",
        f"topic write {root}/status",
        f"topic write {root}/event/#",
        f"topic write {root}/audio/#",
        f"topic read {root}/cmd/#",
        f"topic read {root}/error",
    ]


def bridge_acl() -> list[str]:
    return [f"user {BRIDGE_USER}", f"topic readwrite {ROOT}/#"]


@dataclass(frozen=True)
class FleetFiles:
    """The files in one folder: ``passwd``, ``acl`` (for Mosquitto), ``bridge.json``."""

    folder: Path

    @property
    def passwd(self) -> Path:
        return self.folder / "passwd"

    @property
    def acl(self) -> Path:
        return self.folder / "acl"

    @property
    def bridge_file(self) -> Path:
        return self.folder / "bridge.json"

    def _read(self) -> dict[str, Any]:
        if not self.bridge_file.exists():
            return {"mqtt": None, "robots": {}}
        data: dict[str, Any] = json.loads(self.bridge_file.read_text(encoding="utf-8"))
        return data

    def _write_private(self, path: Path, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        temporary.replace(path)

    def _save(self, data: dict[str, Any]) -> None:
        """Write bridge.json, then the passwd and ACL files made from it."""
        self._write_private(self.bridge_file, json.dumps(data, indent=2, sort_keys=True) + "\n")
        lines = [f"{BRIDGE_USER}:{data['mqtt']['password_hash']}"]
        acl = [*bridge_acl(), ""]
        for robot_id, robot in sorted(data["robots"].items()):
            lines.append(f"{robot_id}:{robot['mqtt_password_hash']}")
            acl += [*robot_acl(robot_id), ""]
        self._write_private(self.passwd, "\n".join(lines) + "\n")
        self._write_private(self.acl, "\n".join(acl))

    def ensure(self) -> dict[str, Any]:
        """The bridge's account exists and the broker's files are written."""
        data = self._read()
        if not data.get("mqtt"):
            password = secrets.token_urlsafe(24)
            data["mqtt"] = {
                "username": BRIDGE_USER,
                "password": password,
                "password_hash": hash_password(password),
            }
        self._save(data)
        return data

    def bridge_login(self) -> tuple[str, str]:
        mqtt = self.ensure()["mqtt"]
        return str(mqtt["username"]), str(mqtt["password"])

    def add_robot(self, robot_id: str, api_token: str) -> str:
        """Give the robot an MQTT account; returns its password (shown once, kept hashed)."""
        if not valid_robot_id(robot_id) or robot_id == BRIDGE_USER:
            raise FleetError(f"{robot_id!r} cannot be a robot id")
        data = self.ensure()
        password = secrets.token_urlsafe(24)
        data["robots"][robot_id] = {
            "mqtt_password_hash": hash_password(password),
            "api_token": api_token,
        }
        self._save(data)
        return password

    def revoke_robot(self, robot_id: str) -> bool:
        data = self.ensure()
        removed = data["robots"].pop(robot_id, None) is not None
        self._save(data)
        return removed

    def robot_ids(self) -> list[str]:
        return sorted(self._read()["robots"])


class RobotTokens:
    """Each robot's API token, from bridge.json; reread when the file changes, so a robot
    added or revoked while the bridge runs is seen at once."""

    def __init__(self, files: FleetFiles | None, fixed: dict[str, str] | None = None) -> None:
        self.files = files
        self._fixed = dict(fixed or {})
        self._mtime: float | None = None
        self._tokens: dict[str, str] = {}

    def get(self, robot_id: str) -> str | None:
        if self.files is None:
            return self._fixed.get(robot_id)
        try:
            mtime = self.files.bridge_file.stat().st_mtime
        except FileNotFoundError:
            return None
        if mtime != self._mtime:
            robots = json.loads(self.files.bridge_file.read_text(encoding="utf-8"))["robots"]
            self._tokens = {name: str(entry["api_token"]) for name, entry in robots.items()}
            self._mtime = mtime
        return self._tokens.get(robot_id)


def broker_config(
    files: FleetFiles,
    port: int = 1883,
    *,
    host: str = "127.0.0.1",
    tls_port: int | None = None,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    cafile: Path | None = None,
) -> Path:
    """Write a Mosquitto config for the fleet: accounts and ACLs from the fleet files, no
    anonymous clients, and a TLS listener when a certificate is given."""
    files.ensure()
    lines = [
        "# Written by sanapaja robots broker; the accounts come from sanapaja robots add.",
        "per_listener_settings false",
        # Started as root, Mosquitto would otherwise become user mosquitto, who cannot read
        # the private files below.
        f"user {getpass.getuser()}",
        "allow_anonymous false",
        f"password_file {files.passwd}",
        f"acl_file {files.acl}",
        f"pid_file {files.folder / 'mosquitto.pid'}",
        "persistence false",
        f"listener {port} {host}",
    ]
    if tls_port is not None:
        if certfile is None or keyfile is None:
            raise FleetError("a TLS listener needs --certfile and --keyfile")
        lines += [f"listener {tls_port} {host}", f"certfile {certfile}", f"keyfile {keyfile}"]
        if cafile is not None:
            lines.append(f"cafile {cafile}")
    target = files.folder / "mosquitto.conf"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def reload_broker(files: FleetFiles) -> bool:
    """Ask a broker started with our config to reread the accounts (SIGHUP)."""
    import signal

    pid_file = files.folder / "mosquitto.pid"
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
    except (OSError, ValueError):
        return False
    return True
