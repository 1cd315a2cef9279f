"""The user's side of :class:`spotui.session.facade.Session`: settings in config.toml, the
first-run setup, and where playback is. A mixin only to keep ``session.py`` small; the
faces still call one object."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.config.env import Config
    from spotui.config.user_file import UiSettings
    from spotui.export.player import Device, Playback


class UserMixin:
    """Needs ``self.config``, ``self._spotify()`` and ``self.tracks()`` from Session."""

    config: Config
    last_queued: list[str]

    # ------------------------------------------------------------------ settings
    def ui_settings(self, sort_keys: tuple[str, ...] = ()) -> tuple[UiSettings, list[str]]:
        """The remembered ``[ui]`` settings and what was wrong with them (if anything)."""
        from spotui.config.user_file import load_ui

        return load_ui(self.config, sort_keys)

    def save_ui_settings(self, settings: UiSettings) -> None:
        """Remember ``settings`` in config.toml (atomically; other tables untouched)."""
        from spotui.config.user_file import save_ui

        save_ui(self.config, settings)

    def keymap(self) -> tuple[dict[str, str], list[str]]:
        """The ``[keys]`` table (action id -> keys) and the entries that are not keys."""
        from spotui.config.user_file import load_keys

        return load_keys(self.config)

    def setup_steps(self) -> list[str]:
        from spotui.config.user_file import setup_steps

        return setup_steps(self.config.redirect_uri)

    @staticmethod
    def check_client_id(text: str) -> str:
        """The client id in ``text``, or a ConfigError saying what a client id looks like."""
        from spotui.config.user_file import check_client_id

        return check_client_id(text)

    def set_client_id(self, text: str) -> str:
        """Validate (32 hex characters) and store the client id; used from now on."""
        from spotui.config.user_file import save_client_id

        value = save_client_id(self.config, text)
        self.config = dataclasses.replace(self.config, client_id=value)
        return value

    # ------------------------------------------------------------------ the player
    def devices(self) -> list[Device]:
        """The user's Spotify devices (the demo devices in --demo)."""
        from spotui.export.player import devices

        with self._spotify(needed=not self.demo) as client:
            return devices(client, self.config)

    def transfer(self, device_id: str) -> Device:
        """Move playback to a device (the demo outbox records it in --demo)."""
        from spotui.export.player import transfer

        with self._spotify(needed=not self.demo) as client:
            return transfer(client, self.config, device_id)

    def playback(self) -> Playback:
        """The active device, what plays, and the last tracks spotui queued (by name)."""
        from spotui.export.player import last_demo_queue, playback

        with self._spotify(needed=not self.demo) as client:
            state = playback(client, self.config)
        queued = self.last_queued or (last_demo_queue(self.config) if self.demo else [])
        known = {t.id: t for t in self.tracks(queued)}
        state.last_queued = [
            f"{known[t].name} — {', '.join(known[t].artists)}" if t in known else t for t in queued
        ]
        return state
