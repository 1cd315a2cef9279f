"""Pilot test of the TUI's import dialog with hostile paths and files (issue 13)."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Label

from spotui.config.env import load as load_config
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.welcome import ImportDialog, WelcomeScreen
from tests.tui.pilot import wait_for


def test_import_dialog_names_directories_and_bad_lines_then_imports_ids(isolated_env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Track URI,Track Name,Artist Name(s),Tempo\nspotify:track:4uLU6hMCjMI75M1A2tKUQC,S,A,99999\n"
    )
    ids = tmp_path / "ids.csv"
    ids.write_text("Spotify URI\nspotify:track:4uLU6hMCjMI75M1A2tKUQC\n")

    async def run() -> None:
        app = SpotuiApp(load_config())
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, ImportDialog))
            dialog = app.screen
            box = dialog.query_one("#path", Input)
            error = dialog.query_one("#path-error", Label)
            box.value = str(tmp_path)
            await pilot.pause()
            assert str(error.render()) == f"{tmp_path}: is a directory, not a CSV file."
            box.value = str(bad)
            await pilot.press("enter")
            expected = (
                f"{bad}, line 2, column 'Tempo': '99999' is outside the allowed range 0..300. "
                "Nothing was imported."
            )
            await wait_for(pilot, lambda: str(error.render()) == expected)
            box.value = str(ids)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is not dialog and app.rows is not None)
            assert app.session.library.tracks(["4uLU6hMCjMI75M1A2tKUQC"])[0].name == (
                "4uLU6hMCjMI75M1A2tKUQC"
            )

    asyncio.run(run())
