from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, inspect, select

from tutor_server import db
from tutor_server.cli import main
from tutor_server.groups import CODE_ALPHABET, GroupError, create_group
from tutor_server.models import Base, Group, Pack, PackItem, PackVersion
from tutor_server.pack_store import PackRejected, store_pack


def test_migrations_make_exactly_the_models(app: Flask) -> None:
    engine = app.extensions["sanapaja.engine"]
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert {"packs", "pack_versions", "pack_files", "pack_items", "groups"} <= set(
        inspect(engine).get_table_names()
    )


def test_loading_a_pack_again_changes_nothing(app: Flask, doc_example_dir: Path) -> None:
    with app.app_context():
        with db.transaction() as session:
            first = store_pack(session, doc_example_dir)
        with db.transaction() as session:
            again = store_pack(session, doc_example_dir)
            versions = session.scalar(select(func.count()).select_from(PackVersion))
            items = session.scalars(select(PackItem.item_id).order_by(PackItem.item_id)).all()
    assert (first.status, again.status) == ("new", "unchanged")
    assert versions == 1
    assert items == sorted(
        ["kiitos", "lattia", "lattia-on-liukas", "tarvitsen-apua", "tuli", "tuuli"]
    )


def test_a_new_version_keeps_surviving_items_and_retires_the_rest(
    app: Flask, doc_example_dir: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "esimerkki"
    shutil.copytree(doc_example_dir, changed)
    pack_yaml = changed / "pack.yaml"
    pack_yaml.write_text(pack_yaml.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    lesson = changed / "lessons" / "01-siivous.yaml"
    text = lesson.read_text()
    start = text.index("  - id: kiitos")
    lesson.write_text(
        text[:start] + "  - id: moppi\n    fi: moppi\n    translations: {en: mop, ru: швабра}\n"
    )
    dialogue = changed / "lessons" / "02-aamulla.yaml"
    dialogue.write_text(
        dialogue.read_text().replace(
            "items: [lattia-on-liukas, kiitos]", "items: [lattia-on-liukas]"
        )
    )
    with app.app_context():
        with db.transaction() as session:
            store_pack(session, doc_example_dir)
        with db.transaction() as session:
            outcome = store_pack(session, changed)
            retired = session.scalars(select(PackItem.item_id).where(PackItem.retired)).all()
            current = session.get(Pack, "esimerkki")
            assert current is not None
            assert current.current_version.version == "1.1.0"
    assert outcome.status == "updated"
    assert outcome.new_items == ["moppi"] and outcome.retired_items == ["kiitos"]
    assert retired == ["kiitos"]


def test_an_invalid_pack_is_refused_and_nothing_is_stored(
    app: Flask, doc_example_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "esimerkki"
    shutil.copytree(doc_example_dir, broken)
    (broken / "lessons" / "01-siivous.yaml").write_text("id: siivous\nlevel: A9\n")
    with app.app_context():
        with pytest.raises(PackRejected) as rejected, db.transaction() as session:
            store_pack(session, broken)
        assert any("'A9' is not one of" in str(p) for p in rejected.value.problems)
        session = db.get_session()
        assert session.scalar(select(func.count()).select_from(PackVersion)) == 0


def test_groups_get_a_readable_join_code(app: Flask, doc_example_dir: Path) -> None:
    with app.app_context():
        with db.transaction() as session:
            store_pack(session, doc_example_dir)
            group = create_group(session, "Siivous A", ["esimerkki"], 6)
        assert len(group.join_code) == 6 and set(group.join_code) <= set(CODE_ALPHABET)
        with pytest.raises(GroupError, match="no such pack: nope"), db.transaction() as session:
            create_group(session, "B", ["esimerkki", "nope"], 6)
        assert db.get_session().scalar(select(func.count()).select_from(Group)) == 1


def test_cli_loads_packs_and_creates_a_group(
    app: Flask, doc_example_dir: Path, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    loaded = runner.invoke(main, ["packs", "load", str(doc_example_dir)])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output.strip() == "esimerkki 1.0.0: new"
    again = runner.invoke(main, ["packs", "load", str(doc_example_dir)])
    assert again.output.strip() == "esimerkki 1.0.0: unchanged"
    qr = tmp_path / "join.png"
    made = runner.invoke(
        main, ["groups", "create", "Siivous A", "--pack", "esimerkki", "--qr", str(qr)]
    )
    assert made.exit_code == 0, made.output
    assert "join code " in made.output and "/join/" in made.output
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    refused = runner.invoke(main, ["groups", "create", "X", "--pack", "nope"])
    assert refused.exit_code == 1 and "no such pack: nope" in refused.output


def test_demo_loads_the_packs_and_reuses_its_group(
    app: Flask, doc_example_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(doc_example_dir, tmp_path / "content" / "esimerkki")
    monkeypatch.chdir(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "esimerkki 1.0.0: new" in first.output
    code = first.output.split("join code ")[1].split()[0]
    again = runner.invoke(main, ["demo"])
    assert "esimerkki 1.0.0: unchanged" in again.output and f"join code {code}" in again.output
    lesson = tmp_path / "content" / "esimerkki" / "lessons" / "01-siivous.yaml"
    lesson.write_text("id: siivous\nlevel: A9\n")
    refused = runner.invoke(main, ["demo"])
    assert refused.exit_code == 1
    assert "'A9' is not one of" in refused.output
    assert "a shipped pack does not validate" in refused.output
