"""`groups create --qr` warns when the QR code would point at the server's own machine."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tutor_server.cli import main


def make_group(app: Flask, doc_example_dir: Path, qr: Path) -> tuple[str, str]:
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["packs", "load", str(doc_example_dir)]).exit_code == 0
    made = runner.invoke(main, ["groups", "create", "A", "--pack", "esimerkki", "--qr", str(qr)])
    assert made.exit_code == 0, made.output
    assert qr.is_file()
    return made.stdout, made.stderr


def test_a_qr_code_for_the_loopback_address_comes_with_a_warning(
    app: Flask, doc_example_dir: Path, tmp_path: Path
) -> None:
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    out, err = make_group(app, doc_example_dir, tmp_path / "join.svg")
    assert "http://127.0.0.1:5000/join/" in out
    assert "Warning" in err and "SANAPAJA_PUBLIC_URL" in err, err


def test_a_qr_code_for_the_public_address_has_no_warning(
    app: Flask, doc_example_dir: Path, tmp_path: Path
) -> None:
    app.config["PUBLIC_URL"] = "https://sanapaja.example.fi"
    out, err = make_group(app, doc_example_dir, tmp_path / "join.svg")
    assert "https://sanapaja.example.fi/join/" in out
    assert err == ""
