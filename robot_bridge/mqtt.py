"""Connecting to the broker: settings from one URL, a paho 2.x client (callback API v2),
MQTT 5 by default with 3.1.1 as a choice, TLS with a CA file, reconnect with backoff."""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from robot_bridge.messages import Message, Status

COMMAND_EXPIRY_S = 60


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class BrokerSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str | None = None
    mqtt5: bool = True

    @classmethod
    def from_url(cls, url: str) -> BrokerSettings:
        """``mqtt://user:password@host:1883``, ``mqtts://host:8883?ca=/path/ca.crt``;
        ``?protocol=3.1.1`` for a broker without MQTT 5."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise SettingsError(f"{url!r}: the broker URL starts with mqtt:// or mqtts://")
        query = parse_qs(parts.query)
        protocol = query.get("protocol", ["5"])[0]
        if protocol not in ("5", "3.1.1"):
            raise SettingsError(f"{url!r}: protocol is 5 or 3.1.1")
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            ca_file=query.get("ca", [None])[0],
            mqtt5=protocol == "5",
        )

    def with_login(self, username: str, password: str) -> BrokerSettings:
        return BrokerSettings(
            self.host, self.port, username, password, self.tls, self.ca_file, self.mqtt5
        )


def make_client(client_id: str, settings: BrokerSettings, *, clean: bool = True) -> mqtt.Client:
    """A client that reconnects by itself (1 s, doubling to 30 s) once loop_start() runs."""
    protocol = mqtt.MQTTv5 if settings.mqtt5 else mqtt.MQTTv311
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=protocol,
        clean_session=None if settings.mqtt5 else clean,
    )
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set(ca_certs=settings.ca_file, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


def connect(client: mqtt.Client, settings: BrokerSettings, *, clean: bool = True) -> None:
    """Start connecting in the background; the network loop keeps reconnecting."""
    properties = None
    if settings.mqtt5:
        properties = Properties(PacketTypes.CONNECT)
        # A persistent session keeps the robot's answers for a bridge that restarts.
        properties.SessionExpiryInterval = 0 if clean else 3600
    client.connect_async(
        settings.host,
        settings.port,
        keepalive=30,
        clean_start=clean if settings.mqtt5 else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
        properties=properties,
    )
    client.loop_start()


def publish(
    client: mqtt.Client,
    topic: str,
    message: Message,
    *,
    mqtt5: bool,
    correlation: str | None = None,
    expiry_s: int | None = None,
    retain: bool = False,
) -> None:
    properties = None
    if mqtt5 and (correlation is not None or expiry_s is not None):
        properties = Properties(PacketTypes.PUBLISH)
        properties.ContentType = "application/json"
        if correlation is not None:
            properties.CorrelationData = correlation.encode("utf-8")
        if expiry_s is not None:
            properties.MessageExpiryInterval = expiry_s
    client.publish(topic, message.payload(), qos=1, retain=retain, properties=properties)


def read_statuses(settings: BrokerSettings, wait_s: float = 1.0) -> dict[str, Status]:
    """Every robot's retained status, as the broker holds it now."""
    import threading
    import time

    from robot_bridge.messages import BadMessage, parse_from_robot
    from robot_bridge.topics import ROOT

    found: dict[str, Status] = {}
    connected = threading.Event()
    client = make_client(f"sanapaja-status-{secrets.token_hex(3)}", settings)

    def on_connect(c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any) -> None:
        if not reason.is_failure:
            c.subscribe(f"{ROOT}/+/status", 1)
            connected.set()

    def on_message(_c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            incoming = parse_from_robot(message.topic, bytes(message.payload))
        except BadMessage:
            return
        if isinstance(incoming.message, Status):
            found[incoming.robot_id] = incoming.message

    client.on_connect = on_connect
    client.on_message = on_message
    connect(client, settings)
    try:
        if not connected.wait(5):
            raise ConnectionError(f"cannot reach the broker at {settings.host}:{settings.port}")
        time.sleep(wait_s)
    finally:
        client.disconnect()
        client.loop_stop()
    return found
