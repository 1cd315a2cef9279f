"""The Spotify account half of :class:`~spotui.session.facade.Session`: login, logout, library
sync and audio-feature lookups.

Why a part of its own: these are the jobs that write what Spotify says into the store,
one at a time per library (the job lock, :mod:`spotui.store.lock`), and they share the
demo-mode refusals; keeping them here keeps ``session.py`` small. The methods use the
session's ``config``, ``demo``, ``_db()``, ``_job()``, ``_spotify()`` and
``library_changed()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from spotui.core.errors import UserError
from spotui.core.progress import CancelCheck, Progress, no_progress
from spotui.session.records import SyncOutcome

if TYPE_CHECKING:
    from spotui.sources.feature_providers import FeatureResult

DEMO_NOT_SYNCED = (
    "The demo library is built in and is not synced from Spotify. Run `spotui login` and then "
    "`spotui {cmd}` without --demo to use your own library."
)


class SpotifyAccount:
    """Login, sync and feature lookups (mixed into :class:`~spotui.session.facade.Session`)."""

    def _logged_in(self) -> bool:
        """Whether a Spotify login exists (then Spotify leads the feature chain: feature
        lookups, discovery)."""
        return not self.demo and bool(self.config.client_id) and self.config.token_path.exists()

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

        if self.demo:
            raise UserError("The demo library needs no login. Run `spotui login` without --demo.")
        config = dataclasses.replace(self.config, redirect_port=port) if port else self.config
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

        return logout(self.config)

    def sync(
        self,
        progress: Progress = no_progress,
        cancel: CancelCheck | None = None,
        *,
        workers: int | None = None,
        features: bool = True,
        wait: bool = False,
    ) -> SyncOutcome:
        """Sync the Spotify library, then look up audio features for tracks without them.

        One sync per database at a time: another running raises
        :class:`~spotui.core.errors.JobRunningError` naming its pid, or with ``wait`` is
        waited for. Progress messages are :class:`spotui.core.progress.Step` values naming
        their phase."""
        from spotui.sources.feature_providers import default_providers, lookup_features
        from spotui.spotify.sync import DEFAULT_WORKERS, sync_library

        if self.demo:
            raise UserError(DEMO_NOT_SYNCED.format(cmd="sync"))
        self.config.require_client_id()
        with (
            self._job("sync", wait=wait, progress=progress, cancel=cancel),
            self._spotify() as client,
            self._db() as store,
        ):
            store.verify()
            library = sync_library(
                store, client, progress=progress, cancel=cancel, workers=workers or DEFAULT_WORKERS
            )
            found = None
            if features:
                providers = default_providers(self.config, client)
                found = lookup_features(store, providers, progress=progress, cancel=cancel)
        self.library_changed()
        return SyncOutcome(library, found)

    @staticmethod
    def sync_phases() -> tuple[str, ...]:
        """The phases :meth:`sync` reports, in order (the ``phase`` of its progress steps)."""
        from spotui.sources.feature_providers import PHASE
        from spotui.spotify.sync import PHASES

        return (*PHASES, PHASE)

    def lookup_features(
        self, retry: bool = False, progress: Progress = no_progress, *, wait: bool = False
    ) -> FeatureResult:
        """Ask the providers about library tracks without audio features (Spotify only if
        logged in). Shares the sync's lock: a sync looks them up too."""
        from spotui.sources.feature_providers import default_providers, lookup_features

        if self.demo:
            raise UserError(DEMO_NOT_SYNCED.format(cmd="features"))
        with (
            self._job("sync", wait=wait, what="spotui features", progress=progress),
            self._spotify(needed=self._logged_in()) as spotify,
            self._db() as store,
        ):
            store.verify()
            providers = default_providers(self.config, spotify)
            result = lookup_features(store, providers, retry=retry, progress=progress)
        self.library_changed()
        return result
