"""Adding recommendations to the end of one of the user's playlists: recommend for the
playlist, show the exact plan, add on OK (if the library is still the one shown then)."""

from __future__ import annotations

from spotui.tui.typed import SpotuiAppView

#: How many recommendations "add to this playlist" offers.
EXTEND_COUNT = 20


class ExtendFlow:
    def __init__(self, app: SpotuiAppView) -> None:
        self.app = app

    def start(self, playlist_id: str, new_only: bool = False) -> None:
        view = self.app.session.changes.view
        self.app.run_worker(
            lambda: self._plan(playlist_id, new_only, view),
            thread=True,
            group="spotify",
            exit_on_error=False,
        )

    def _plan(self, playlist_id: str, new_only: bool, view: int | None) -> None:
        from spotui.session.seeds import Seeds

        session = self.app.session
        recs = session.recommendations.recommend(
            Seeds.playlist(playlist_id), n=EXTEND_COUNT, new_only=new_only
        )
        plan = session.exports.extend_playlist(recs, dry_run=True)
        self.app.call_from_thread(self._confirm, recs, plan, view)

    def _confirm(self, recs, plan, view: int | None) -> None:
        from spotui.tui.screens.confirm import ConfirmDialog

        dialog = ConfirmDialog(f"Add to “{plan.name}”", plan.question(), "Add")
        self.app.push_screen(dialog, lambda ok: ok and self._add_later(recs, view))

    def _add_later(self, recs, view: int | None) -> None:
        self.app.run_worker(
            lambda: self._add(recs, view), thread=True, group="spotify", exit_on_error=False
        )

    def _add(self, recs, view: int | None) -> None:
        result = self.app.session.exports.extend_playlist(recs, view=view)
        self.app.call_from_thread(self.app.notify, result.summary(), title="Playlist", timeout=8)
        self.app.call_from_thread(self.app.load_library)  # the playlist holds more tracks now
