"""The `sanapaja` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from lessons.pack.consistency import check_across_packs
from lessons.pack.discovery import find_pack_folders
from lessons.pack.loader import LoadResult, load_pack
from lessons.pack.model import SUPPORT_LANGUAGES
from lessons.pack.phrases import pack_phrases, speaking_cohort
from lessons.pack.skeleton import skeleton_files
from lessons.pack.stats import pack_stats
from lessons.pack.validation import spellcheck_pack

if TYPE_CHECKING:
    from flask import Flask

DEFAULT_CONTENT = Path("content")
PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _create_app() -> Flask:
    from tutor_server.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Sanapaja: workplace Finnish micro-lessons."""


def _pack_folders(paths: tuple[Path, ...]) -> list[Path]:
    folders, missing = find_pack_folders(list(paths) or [DEFAULT_CONTENT])
    for message in missing:
        click.echo(f"error: {message}", err=True)
    if missing:
        sys.exit(1)
    return folders


@main.command()
@PATHS
@click.option("--spell", is_flag=True, help="Also check every Finnish string with Voikko.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(paths: tuple[Path, ...], spell: bool, strict: bool) -> None:
    """Check lesson packs (default: ./content) and report every problem.

    PATHS are pack folders or folders of packs. Exits 1 when any pack has errors.
    """
    checker = None
    if spell:
        from lessons.finnish.spelling import INSTALL_HINT, open_spell_checker

        checker = open_spell_checker()
        if checker is None:
            click.echo(INSTALL_HINT, err=True)
            sys.exit(1)
    failed = False
    loaded = []
    for folder in _pack_folders(paths):
        result = load_pack(folder)
        if result.pack is not None:
            loaded.append(result.pack)
        problems = list(result.problems)
        if checker is not None and result.pack is not None:
            problems.extend(spellcheck_pack(result.pack, checker))
        for problem in problems:
            click.echo(str(problem))
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = len(problems) - errors
        failed = failed or errors > 0 or (strict and warnings > 0)
        click.echo(_summary(folder, result, errors, warnings))
    if len(loaded) > 1:
        across = check_across_packs(loaded)
        for problem in across:
            click.echo(str(problem))
        failed = failed or (strict and bool(across))
        if across:
            click.echo(f"across packs: {len(across)} warnings")
    sys.exit(1 if failed else 0)


def _summary(folder: Path, result: LoadResult, errors: int, warnings: int) -> str:
    if result.pack is None:
        return f"{folder}: cannot be loaded ({errors} errors)"
    pack = result.pack
    size = f"{len(pack.lessons)} lessons, {len(pack.items)} items"
    if not errors and not warnings:
        return f"{folder}: ok ({pack.id} {pack.version}: {size})"
    return f"{folder}: {errors} errors, {warnings} warnings ({size})"


@main.group()
def pack() -> None:
    """Create and inspect lesson packs."""


@pack.command("new")
@click.argument("pack_id")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Folder to create the pack in.",
)
@click.option(
    "--languages",
    default="en,uk",
    show_default=True,
    help=f"Support languages, comma-separated, from: {', '.join(SUPPORT_LANGUAGES)}.",
)
def pack_new(pack_id: str, parent: Path, languages: str) -> None:
    """Create a new, valid pack skeleton PACK_ID to start writing from."""
    from lessons.pack.loader import ID_PATTERN

    if not ID_PATTERN.match(pack_id):
        raise click.UsageError(
            f"{pack_id!r} is not a valid id: use lower-case ASCII letters, digits, '-' and '_'"
        )
    chosen = [language.strip() for language in languages.split(",") if language.strip()]
    try:
        files = skeleton_files(pack_id, chosen)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    folder = parent / pack_id
    if folder.exists():
        raise click.ClickException(f"{folder} already exists; choose another id or folder")
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    click.echo(f"Created {folder}. Edit it, then run: sanapaja validate --spell {folder}")


@pack.command("stats")
@PATHS
@click.option("--json", "as_json", is_flag=True, help="One JSON document for scripts.")
def pack_stats_command(paths: tuple[Path, ...], as_json: bool) -> None:
    """Lessons, items, dialogue and pronunciation lessons, languages per pack."""
    rows = []
    failed = False
    for folder in _pack_folders(paths):
        result = load_pack(folder)
        if result.pack is None:
            click.echo(f"{folder}: cannot be loaded; run sanapaja validate {folder}", err=True)
            failed = True
            continue
        rows.append(pack_stats(result.pack))
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], ensure_ascii=False, indent=2))
    else:
        header = (
            "pack",
            "version",
            "lessons",
            "items",
            "dialogue",
            "pronunc.",
            "safety",
            "languages",
        )
        table = [header] + [
            (
                row.id,
                row.version,
                str(row.lessons),
                str(row.items),
                str(row.dialogue_lessons),
                str(row.pronunciation_lessons),
                str(row.safety_items),
                " ".join(f"{lang}:{status}" for lang, status in row.languages.items()),
            )
            for row in rows
        ]
        widths = [max(len(line[col]) for line in table) for col in range(len(header))]
        for line in table:
            click.echo(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )
    sys.exit(1 if failed else 0)


@main.group()
def speech() -> None:
    """Speak Finnish and score pronunciation, offline."""


@speech.command("say")
@click.argument("text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--rate", type=click.IntRange(60, 400), default=None, help="Words per minute.")
@click.option("--voice", "variant", default=None, help="espeak-ng variant, e.g. m3 or f2.")
@click.option("--pitch", type=click.IntRange(0, 100), default=None)
def speech_say(
    text: str, output: Path, rate: int | None, variant: str | None, pitch: int | None
) -> None:
    """Render TEXT in Finnish to a WAV file."""
    from speech.tts import DEFAULT_PITCH, DEFAULT_RATE, TextToSpeech, TtsError, Voice

    voice = Voice(variant, rate or DEFAULT_RATE, DEFAULT_PITCH if pitch is None else pitch)
    try:
        data = TextToSpeech().render_bytes(text, voice)
    except TtsError as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_bytes(data)
    click.echo(f"Wrote {output}")


@speech.command("score")
@click.option("--target", required=True, help="The Finnish the learner was asked to say.")
@click.option(
    "--pack",
    "pack_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="A pack whose confusables and native recordings of the target are used, and whose"
    " other phrases an answer made of other words is told apart from.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def speech_score(
    target: str, pack_path: Path | None, as_json: bool, files: tuple[Path, ...]
) -> None:
    """Score each WAV FILE as an attempt at --target (references load once)."""
    from lessons.finnish.normalize import normalize_answer
    from lessons.finnish.spelling import open_spell_checker
    from speech.audio import AudioFormatError
    from speech.scoring import PronunciationScorer
    from speech.tts import TextToSpeech, TtsError
    from speech.vosk_recognizer import ModelLoadError, configured_recognizer

    confusables: list[str] = []
    recordings: list[bytes] = []
    cohort: list[str] = []
    if pack_path is not None:
        result = load_pack(pack_path)
        if result.pack is None:
            raise click.ClickException(f"cannot load {pack_path}; run sanapaja validate on it")
        cohort = speaking_cohort(result.pack, [target])
        wanted = normalize_answer(target)
        for item in result.pack.items.values():
            if normalize_answer(item.fi) == wanted:
                confusables += [result.pack.items[c].fi for c in item.confusables]
                recordings += [(pack_path / r).read_bytes() for r in item.recordings]
    checker = open_spell_checker()
    try:
        scorer = PronunciationScorer(
            TextToSpeech(),
            is_word=checker.is_word if checker else None,
            recognizer=configured_recognizer(),
        )
        scorer.model(target, confusables, recordings)
    except (ModelLoadError, TtsError) as exc:
        raise click.ClickException(str(exc)) from exc
    failed = False
    for file in files:
        try:
            outcome = scorer.score(file.read_bytes(), target, confusables, recordings, cohort)
        except (OSError, AudioFormatError) as exc:
            failed = True
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if as_json:
                click.echo(json.dumps({"file": str(file), "error": reason}, ensure_ascii=False))
            else:
                click.echo(f"{file}: error: {reason}")
            continue
        if as_json:
            click.echo(json.dumps({"file": str(file), **outcome.to_dict()}, ensure_ascii=False))
            continue
        heard = f", heard as {outcome.heard_as!r}" if outcome.heard_as else ""
        if outcome.message_key == "pronunciation.other_words":
            heard = ", other words than the target"
        click.echo(f"{file}: {outcome.verdict} {outcome.score}/100{heard}")
        for word in outcome.words:
            if not word.ok:
                click.echo(f"  {word.word}: {word.message_key.removeprefix('word.')}")
        for segment in outcome.segments:
            if not segment.ok:
                click.echo(f"  {segment.sound}: too {segment.heard} (should be {segment.expected})")
    sys.exit(1 if failed else 0)


@main.group()
def tts() -> None:
    """Pre-render the tutor's Finnish speech."""


@tts.command("render")
@PATHS
def tts_render(paths: tuple[Path, ...]) -> None:
    """Render every phrase of the packs (default: ./content); only what changed is new."""
    from speech.tts import SLOW_RATE, TextToSpeech, TtsError, Voice

    texts: set[str] = set()
    for folder in _pack_folders(paths):
        result = load_pack(folder)
        if result.pack is None:
            raise click.ClickException(f"cannot load {folder}; run sanapaja validate on it")
        texts.update(pack_phrases(result.pack))
    engine = TextToSpeech()
    voices = (Voice(), Voice(rate=SLOW_RATE))
    jobs = [(text, voice) for text in sorted(texts) for voice in voices]
    rendered = 0
    with click.progressbar(jobs, label="Rendering speech", show_pos=True) as bar:
        for text, voice in bar:
            if engine.is_cached(text, voice):
                continue
            try:
                engine.render(text, voice)
            except TtsError as exc:
                raise click.ClickException(str(exc)) from exc
            rendered += 1
    click.echo(
        f"{len(jobs)} renderings of {len(texts)} phrases: {rendered} new, "
        f"{len(jobs) - rendered} cached in {engine.cache_dir}"
    )


@main.group("db")
def database() -> None:
    """The lesson server's database."""


@database.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or upgrade the database schema (SQLite file or DATABASE_URL)."""
    from tutor_server import db

    db.upgrade(current_app)
    click.echo("Database is up to date.")


@main.group("packs")
def packs() -> None:
    """Lesson packs in the lesson server."""


@packs.command("load")
@PATHS
@with_appcontext
def packs_load(paths: tuple[Path, ...]) -> None:
    """Validate and load packs (default: ./content); loading again changes nothing.

    A new version of a pack keeps every learner's progress on the items whose ids survive.
    An invalid pack is refused with the validator's messages and nothing of it is stored.
    """
    sys.exit(0 if _load_packs(paths) else 1)


def _load_packs(paths: tuple[Path, ...]) -> bool:
    """Store each pack in its own transaction, saying what happened; False if any was refused."""
    from tutor_server import db
    from tutor_server.pack_store import PackRejected, store_pack

    db.upgrade(current_app)
    failed = False
    for folder in _pack_folders(paths):
        try:
            with db.transaction() as session:
                outcome = store_pack(session, folder)
        except PackRejected as rejected:
            failed = True
            for problem in rejected.problems:
                click.echo(str(problem))
            click.echo(f"{folder}: refused ({len(rejected.problems)} errors); nothing changed")
            continue
        detail = ""
        if outcome.status == "updated":
            detail = (
                f" ({len(outcome.new_items)} new items, "
                f"{len(outcome.retired_items)} retired: {', '.join(outcome.retired_items) or '-'})"
            )
        click.echo(f"{outcome.pack_id} {outcome.version}: {outcome.status}{detail}")
    return not failed


@main.group("groups")
def groups() -> None:
    """Learner groups and their join codes."""


@groups.command("create")
@click.argument("name")
@click.option("--pack", "pack_ids", multiple=True, required=True, help="A pack id; repeatable.")
@click.option(
    "--qr",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the join link as a QR code (.svg or .png).",
)
@with_appcontext
def groups_create(name: str, pack_ids: tuple[str, ...], qr: Path | None) -> None:
    """Create a learner group NAME and print its join code."""
    from tutor_server import db
    from tutor_server.groups import GroupError, create_group, join_url

    db.upgrade(current_app)
    try:
        with db.transaction() as session:
            group = create_group(
                session, name, list(pack_ids), int(current_app.config["JOIN_CODE_LENGTH"])
            )
            code = group.join_code
    except GroupError as exc:
        raise click.ClickException(str(exc)) from exc
    link = join_url(str(current_app.config["PUBLIC_URL"]), code)
    click.echo(f"Group {name!r}: join code {code}")
    click.echo(f"Join link: {link}")
    if qr is not None:
        import segno

        if _is_loopback(link):
            click.echo(
                f"Warning: the QR code points at {link}, which only this computer can open. "
                "Set SANAPAJA_PUBLIC_URL to the address learners' phones use, "
                "e.g. SANAPAJA_PUBLIC_URL=https://sanapaja.example.fi",
                err=True,
            )

        segno.make(link, error="m").save(str(qr), scale=8)
        click.echo(f"QR code: {qr}")


def _is_loopback(url: str) -> bool:
    """True for a link only the server's own machine can open (localhost, 127.x, ::1)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@groups.command("list")
@with_appcontext
def groups_list() -> None:
    """One line per group: join code, name, packs, recording on/off, learners."""
    from tutor_server import db
    from tutor_server.groups import list_groups

    db.upgrade(current_app)
    summaries = list_groups(db.get_session())
    if not summaries:
        click.echo("No groups yet. Create one: sanapaja groups create NAME --pack ID")
    for group in summaries:
        click.echo(
            f"{group.join_code}  {group.name!r}  packs: {', '.join(group.pack_ids) or '-'}  "
            f"recording: {'on' if group.recording_enabled else 'off'}  "
            f"learners: {group.learners}"
        )


@groups.command("recording")
@click.argument("code")
@click.argument("state", type=click.Choice(["on", "off"]))
@with_appcontext
def groups_recording(code: str, state: str) -> None:
    """Switch recording on or off for the group with join code CODE.

    With recording on, a learner's recordings are kept for the trainer, but only after the
    learner agrees in the app; with it off, audio is scored and dropped. Switching off does
    not delete the recordings already kept.
    """
    from tutor_server import db
    from tutor_server.groups import GroupError, set_recording

    db.upgrade(current_app)
    try:
        with db.transaction() as session:
            group, changed = set_recording(session, code, state == "on")
            name, join_code = group.name, group.join_code
    except GroupError as exc:
        raise click.ClickException(str(exc)) from exc
    if changed:
        was = "off" if state == "on" else "on"
        click.echo(f"Group {name!r} ({join_code}): recording is now {state} (was {was}).")
    else:
        click.echo(f"Group {name!r} ({join_code}): recording was already {state}; no change.")
    if state == "on":
        click.echo(
            "Recordings are kept only for learners who agree in the app "
            "(home page, 'Your recordings'); each learner must still switch it on."
        )
    elif changed:
        click.echo(
            "Every learner's agreement is withdrawn: if recording is switched on again, "
            "each learner is asked anew."
        )
        click.echo("Recordings kept so far stay until the learner deletes their data.")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the lesson server (development server; production runs it under gunicorn
    with 'tutor_server.wsgi:app')."""
    from tutor_server import db

    db.upgrade(current_app)
    from werkzeug.serving import run_simple

    click.echo(f"Sanapaja is at http://{host}:{port}/")
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@main.command("demo")
@click.option("--group", "group_name", default="Demo", show_default=True)
@with_appcontext
def demo(group_name: str) -> None:
    """Load the shipped packs and make a demo group with every pack; print its join code."""
    from sqlalchemy import select

    from tutor_server import db
    from tutor_server.groups import create_group, join_url
    from tutor_server.models import Group, GroupPack, Pack

    if not _load_packs(()):
        raise click.ClickException("a shipped pack does not validate; see above")
    with db.transaction() as session:
        pack_ids = list(session.scalars(select(Pack.id).order_by(Pack.id)))
        group = session.scalar(select(Group).where(Group.name == group_name))
        if group is None:
            group = create_group(
                session, group_name, pack_ids, int(current_app.config["JOIN_CODE_LENGTH"])
            )
        else:
            have = {link.pack_id for link in group.packs}
            group.packs += [GroupPack(pack_id=p) for p in pack_ids if p not in have]
        code = group.join_code
    click.echo(f"{len(pack_ids)} packs loaded. Demo group {group_name!r}: join code {code}")
    click.echo(f"Open {join_url(str(current_app.config['PUBLIC_URL']), code)}")


DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"
MQTT_URL = click.option(
    "--mqtt",
    "mqtt_url",
    envvar="SANAPAJA_MQTT_URL",
    default=DEFAULT_MQTT_URL,
    show_default=True,
    help="The broker: mqtt://[user:password@]host:port, mqtts://…?ca=FILE; "
    "?protocol=3.1.1 for a broker without MQTT 5. Env: SANAPAJA_MQTT_URL.",
)
FLEET_DIR = click.option(
    "--fleet",
    "fleet_dir",
    envvar="SANAPAJA_FLEET_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The broker's password and ACL files and the bridge's credentials "
    "(default: instance/mqtt). Env: SANAPAJA_FLEET_DIR.",
)


def _fleet_folder(fleet_dir: Path | None) -> Path:
    if fleet_dir is not None:
        return fleet_dir
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    return Path(app.instance_path) / "mqtt"


def _broker_settings(mqtt_url: str) -> Any:
    from robot_bridge.mqtt import BrokerSettings, SettingsError

    try:
        return BrokerSettings.from_url(mqtt_url)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc


@main.command("bridge")
@MQTT_URL
@FLEET_DIR
@click.option(
    "--server",
    "server_url",
    envvar="SANAPAJA_SERVER_URL",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="The lesson server the bridge drives lessons on. Env: SANAPAJA_SERVER_URL.",
)
@click.option(
    "--client-id", help="A fixed MQTT client id: the broker keeps answers while it restarts."
)
@click.option(
    "--idle-timeout", default=120.0, show_default=True, help="Seconds without the learner."
)
@click.option("--workers", default=32, show_default=True, help="Threads handling robots' messages.")
@click.option(
    "--stats", type=click.Path(dir_okay=False, path_type=Path), help="Write latencies here on exit."
)
def bridge_command(
    mqtt_url: str,
    fleet_dir: Path | None,
    server_url: str,
    client_id: str | None,
    idle_timeout: float,
    workers: int,
    stats: Path | None,
) -> None:
    """Run the robot bridge: robots on MQTT, lessons through the lesson server's API."""
    import logging
    import signal
    import threading

    from robot_bridge.bridge import Bridge
    from robot_bridge.fleet import FleetFiles, RobotTokens
    from robot_bridge.lesson_api import LessonApi

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    files = FleetFiles(_fleet_folder(fleet_dir))
    settings = _broker_settings(mqtt_url)
    if settings.username is None:
        settings = settings.with_login(*files.bridge_login())
    bridge = Bridge(
        settings,
        LessonApi(server_url),
        RobotTokens(files),
        client_id=client_id,
        idle_timeout=idle_timeout,
        workers=workers,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    bridge.start()
    click.echo(f"Bridge: broker {settings.host}:{settings.port}, lesson server {server_url}")
    done.wait()
    bridge.stop()
    if stats is not None:
        stats.write_text(
            json.dumps(
                {
                    "latencies": [
                        [x.total_s, x.server_s, x.queued_s] for x in bridge.stats.latencies
                    ],
                    "malformed": bridge.stats.malformed,
                }
            )
        )


@main.group("robot")
def robot() -> None:
    """The software robot: a tutor kiosk on this computer, or a scripted lesson."""


@robot.command("run")
@click.argument("robot_id")
@MQTT_URL
@click.option(
    "--script",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Play one lesson from a YAML file of answers and WAVs, then exit.",
)
@click.option("--speed", default=1.0, show_default=True, help="With --script: audio time factor.")
def robot_run(robot_id: str, mqtt_url: str, script: Path | None, speed: float) -> None:
    """Be robot ROBOT_ID (its MQTT login in the URL: mqtt://ROBOT_ID:PASSWORD@host:port)."""
    from robot_bridge.messages import Capabilities
    from robot_bridge.simulator import (
        Player,
        Script,
        ScriptError,
        ScriptPlayer,
        SoftwareRobot,
        TerminalPlayer,
    )

    settings = _broker_settings(mqtt_url)
    player: Player
    if script is not None:
        try:
            player = ScriptPlayer(Script.load(script), speed)
        except ScriptError as exc:
            raise click.ClickException(str(exc)) from exc
    else:
        player = TerminalPlayer()
    software = SoftwareRobot(
        robot_id, settings, player, capabilities=Capabilities(screen=True, keypad=True)
    )
    software.start()
    if not software.connected.wait(15):
        software.stop(vanish=True)
        raise click.ClickException(
            f"cannot connect to the broker at {settings.host}:{settings.port}"
        )
    click.echo(f"Robot {robot_id} is ready.")
    try:
        while True:
            if software.session_ended.wait(1) and script is not None:
                break
            software.session_ended.clear()
    except KeyboardInterrupt:
        pass
    software.stop()
    ends = software.transcript.ends
    if script is not None:
        reason = ends[-1].reason if ends else "none"
        click.echo(f"Session ended: {reason}")
        sys.exit(0 if reason == "nominal" else 1)


@main.group("robots")
def robots_group() -> None:
    """Robots of the workplace: credentials, broker accounts, who is online."""


@robots_group.command("add")
@click.argument("name")
@click.option("--group", "group_code", required=True, help="The join code of the robot's group.")
@FLEET_DIR
@with_appcontext
def robots_add(name: str, group_code: str, fleet_dir: Path | None) -> None:
    """Register robot NAME: API credentials on the server, an MQTT account and ACL."""
    from robot_bridge.fleet import FleetError, FleetFiles, reload_broker
    from tutor_server import db
    from tutor_server.robots import RobotError, add_robot

    db.upgrade(current_app)
    files = FleetFiles(_fleet_folder(fleet_dir))
    try:
        with db.transaction() as session:
            _, token = add_robot(session, name, group_code)
            password = files.add_robot(name, token)
    except (RobotError, FleetError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Robot {name!r} added. Its MQTT login (shown once): {name} / {password}")
    click.echo(f"Broker files: {files.passwd}, {files.acl}")
    if reload_broker(files):
        click.echo("The broker rereads its accounts now.")
    click.echo(f"Start it: sanapaja robot run {name} --mqtt mqtt://{name}:{password}@HOST:PORT")


@robots_group.command("revoke")
@click.argument("name")
@FLEET_DIR
@with_appcontext
def robots_revoke(name: str, fleet_dir: Path | None) -> None:
    """Revoke robot NAME: its API token and MQTT account stop working; its session ends."""
    from datetime import UTC, datetime

    from robot_bridge.fleet import FleetFiles, reload_broker
    from tutor_server import db
    from tutor_server.robots import RobotError, revoke_robot

    db.upgrade(current_app)
    files = FleetFiles(_fleet_folder(fleet_dir))
    try:
        with db.transaction() as session:
            revoke_robot(session, name, datetime.now(UTC))
    except RobotError as exc:
        raise click.ClickException(str(exc)) from exc
    files.revoke_robot(name)
    reloaded = reload_broker(files)
    click.echo(f"Robot {name!r} revoked." + ("" if reloaded else " Reload the broker (SIGHUP)."))


@robots_group.command("list")
@MQTT_URL
@FLEET_DIR
@with_appcontext
def robots_list(mqtt_url: str, fleet_dir: Path | None) -> None:
    """One line per robot: group, online state (the retained status), last seen, session."""
    from robot_bridge.fleet import FleetFiles
    from robot_bridge.mqtt import read_statuses
    from tutor_server import db
    from tutor_server.robots import list_robots

    db.upgrade(current_app)
    rows = list_robots(db.get_session())
    if not rows:
        click.echo("No robots yet. Add one: sanapaja robots add NAME --group CODE")
        return
    settings = _broker_settings(mqtt_url)
    if settings.username is None:
        settings = settings.with_login(*FleetFiles(_fleet_folder(fleet_dir)).bridge_login())
    try:
        statuses = read_statuses(settings)
    except ConnectionError as exc:
        click.echo(f"({exc}; online state unknown)", err=True)
        statuses = {}
    for row in rows:
        status = statuses.get(row.name)
        state = "revoked" if row.revoked else (status.state if status else "unknown")
        seen = f"{row.last_seen_at:%Y-%m-%d %H:%M} UTC" if row.last_seen_at else "never"
        click.echo(
            f"{row.name}  group {row.group_code} {row.group!r}  {state}  last seen {seen}  "
            f"session: {row.session or '-'}"
        )


@robots_group.command("name-pick")
@click.argument("group_code")
@click.argument("state", type=click.Choice(["on", "off"]))
@with_appcontext
def robots_name_pick(group_code: str, state: str) -> None:
    """Let the group's learners pick their name on a robot's screen (on), or sign in only
    with a pairing code from their app (off, the default)."""
    from sqlalchemy import select

    from tutor_server import db
    from tutor_server.models import Group

    db.upgrade(current_app)
    with db.transaction() as session:
        group = session.scalar(select(Group).where(Group.join_code == group_code.upper()))
        if group is None:
            raise click.ClickException(f"no group has the join code {group_code!r}")
        group.robot_name_pick = state == "on"
        name = group.name
    click.echo(f"Group {name!r}: picking a name at robots is {state}.")


@robots_group.command("broker")
@FLEET_DIR
@click.option("--port", default=1883, show_default=True)
@click.option("--tls-port", type=int, help="Also listen with TLS on this port.")
@click.option("--certfile", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--keyfile", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def robots_broker(
    fleet_dir: Path | None,
    port: int,
    tls_port: int | None,
    certfile: Path | None,
    keyfile: Path | None,
) -> None:
    """Write a Mosquitto config using the fleet's accounts; print its path."""
    from robot_bridge.fleet import FleetError, FleetFiles, broker_config

    try:
        path = broker_config(
            FleetFiles(_fleet_folder(fleet_dir)),
            port,
            tls_port=tls_port,
            certfile=certfile,
            keyfile=keyfile,
        )
    except FleetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(path))
