"""The CLI as a user runs it: a subprocess, real exit codes, real output."""

from __future__ import annotations

import json
import subprocess
import sys

from spotui import __version__
from spotui.store import SCHEMA_VERSION


def test_version(cli):
    res = cli("--version")
    assert res.returncode == 0
    assert res.stdout.strip() == f"spotui {__version__}"


def test_help_lists_commands(cli):
    res = cli("--help")
    assert res.returncode == 0
    for command in ("status", "import"):
        assert command in res.stdout


def test_demo_status_json(cli, demo_data_dir):
    res = cli("--demo", "status", "--json", env={"SPOTUI_DATA_DIR": str(demo_data_dir)})
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["library_tracks"] == 2000
    assert data["catalog_tracks"] == 1000
    assert data["playlists"] == 5
    assert data["demo"] is True
    assert data["database"].endswith("demo.sqlite3")
    assert data["schema_version"] == SCHEMA_VERSION


def test_demo_flag_after_subcommand_and_first_run_generates(cli, tmp_path):
    res = cli("status", "--demo", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["library_tracks"] == 2000
    # the real library was not touched
    assert not (tmp_path / "data" / "library.sqlite3").exists()


def test_status_human(cli):
    res = cli("status")
    assert res.returncode == 0
    assert "Library tracks" in res.stdout and "0" in res.stdout


def test_corrupt_database_is_moved_aside_with_a_message(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "library.sqlite3").write_bytes(b"garbage" * 1000)
    res = cli("status", "--json")
    assert res.returncode == 0
    assert "could not be read" in res.stderr and "Nothing was deleted" in res.stderr
    moved = [p for p in data.iterdir() if p.name.startswith("library.sqlite3.broken-")]
    assert len(moved) == 1 and moved[0].read_bytes() == b"garbage" * 1000


def test_unknown_command_is_a_usage_error(cli):
    res = cli("frobnicate")
    assert res.returncode == 2
    assert "invalid choice" in res.stderr


def test_importing_cli_stays_light():
    code = (
        "import sys, spotui.cli; spotui.cli.build_parser(); "
        "heavy = [m for m in ('sklearn', 'pandas', 'textual', 'scipy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == ""
