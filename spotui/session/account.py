"""The user and their setup (``session.account``): Spotify login and logout, the client id,
the first-run steps, the settings remembered in config.toml, and the setup checks.

Why together: each is about who the user is and how spotui is set up for them, none reads
or writes the library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from spotui.core.errors import UserError
from spotui.core.progress import CancelCheck

if TYPE_CHECKING:
    from spotui.config.user_file import UiSettings
    from spotui.session.context import SessionContext
    from spotui.session.doctor import Check


class AccountService:
    """Login, the client id, settings and setup checks."""

    def __init__(self, context: SessionContext) -> None:
        self._context = context

    def logged_in(self) -> bool:
        return self._context.logged_in()

    def login(
        self,
        *,
        announce: Callable[[str], None] = lambda url: None,
        open_browser: bool = True,
        timeout: float | None = None,
        cancel: CancelCheck | None = None,
        port: int | None = None,
    ) -> dict:
        """Log in with Spotify (PKCE, loopback callback); facts about the stored token."""
        from spotui.spotify.auth import DEFAULT_LOGIN_TIMEOUT, login

        config = self._context.config
        if config.demo:
            raise UserError("The demo library needs no login. Run `spotui login` without --demo.")
        config = dataclasses.replace(config, redirect_port=port) if port else config
        config.require_client_id()
        return login(
            config,
            announce=announce,
            open_browser=open_browser,
            timeout=DEFAULT_LOGIN_TIMEOUT if timeout is None else timeout,
            cancel=cancel,
        )

    def logout(self) -> bool:
        from spotui.spotify.auth import logout

        return logout(self._context.config)

    # ------------------------------------------------------------------ settings
    def ui_settings(self, sort_keys: tuple[str, ...] = ()) -> tuple[UiSettings, list[str]]:
        """The remembered ``[ui]`` settings and what was wrong with them (if anything)."""
        from spotui.config.user_file import load_ui

        return load_ui(self._context.config, sort_keys)

    def save_ui_settings(self, settings: UiSettings) -> None:
        """Remember ``settings`` in config.toml (atomically; other tables untouched)."""
        from spotui.config.user_file import save_ui

        save_ui(self._context.config, settings)

    def keymap(self) -> tuple[dict[str, str], list[str]]:
        """The ``[keys]`` table (action id -> keys) and the entries that are not keys."""
        from spotui.config.user_file import load_keys

        return load_keys(self._context.config)

    # ------------------------------------------------------------------ setup
    def setup_steps(self) -> list[str]:
        from spotui.config.user_file import setup_steps

        return setup_steps(self._context.config.redirect_uri)

    @staticmethod
    def check_client_id(text: str) -> str:
        """The client id in ``text``, or a ConfigError saying what a client id looks like."""
        from spotui.config.user_file import check_client_id

        return check_client_id(text)

    def set_client_id(self, text: str) -> str:
        """Validate (32 hex characters) and store the client id; used from now on."""
        from spotui.config.user_file import save_client_id

        value = save_client_id(self._context.config, text)
        self._context.config = dataclasses.replace(self._context.config, client_id=value)
        return value

    def doctor(self) -> list[Check]:
        """Setup checks, each OK or what to fix (:class:`spotui.session.doctor.Check`)."""
        from spotui.session.doctor import run_checks

        with self._context.db() as store:
            return run_checks(self._context.config, store)
