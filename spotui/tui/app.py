"""SpotuiApp: screens, bindings and worker wiring over the core; no business logic.

Start-up order is what keeps it instant: the main screen is composed immediately, a thread
worker reads the library rows and the *stored* segmentation (no scikit-learn) and the
screen fills from them; only then, if the library changed since that result, a second
worker re-segments (this is where scikit-learn is imported) while the old clusters stay
on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from spotui.config import Config
from spotui.errors import Cancelled, UserError
from spotui.tui.actions import ACTIONS, bindings_for
from spotui.tui.library import LibraryRows


class SpotuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "spotui"
    BINDINGS = bindings_for("app")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        from spotui.store import Store

        # The main thread's Store (workers open their own). Opened before any worker so
        # that a new database is created and migrated exactly once.
        self.store = Store.open(config.db_path)
        self.rows: LibraryRows | None = None
        self.result = None  # spotui.analysis.result.SegmentResult
        self.background_status = ""
        self._recommender = None
        self._rec_lock = threading.Lock()
        #: The mood map's last selection (kept when the map is closed and reopened).
        self.map_selection: list[str] = []
        self._texture: tuple[str, dict] | None = None  # (result fingerprint, PCA coords)
        #: Set once the main screen first shows the library (benchmarks wait for it).
        self.library_shown = threading.Event()
        # Read the stored library and clusters while Textual starts up (SQLite releases
        # the GIL while it works), so the first paint can already show them.
        self._preloaded: tuple | BaseException | None = None
        self._preload = threading.Thread(target=self._preload_library, daemon=True)
        self._preload.start()

    def _preload_library(self) -> None:
        try:
            self._preloaded = self.read_library()
        except BaseException as exc:  # re-raised in the load worker, which reports it
            self._preloaded = exc

    def read_library(self) -> tuple[LibraryRows, object]:
        """The library rows and the stored segmentation (no numpy, no scikit-learn); any thread."""
        from spotui.analysis.result import load_result

        with self.open_worker_store() as store:
            if self.config.demo:
                from spotui.features.demo import ensure_demo

                ensure_demo(store)
            return LibraryRows.from_store(store), load_result(store)

    # ------------------------------------------------------------------ start-up
    def on_mount(self) -> None:
        self.sub_title = "demo library" if self.config.demo else ""
        if self.store.notice:
            self.notify(self.store.notice.message, severity="warning", timeout=15)
        if not self.config.demo and not self.store.has_library():
            from spotui.tui.screens.welcome import WelcomeScreen

            self._preload = None  # read an empty library; whatever comes next reloads
            self.push_screen(WelcomeScreen())
            return
        self.open_main()

    def open_main(self) -> None:
        from spotui.tui.screens.main import MainScreen

        if len(self.screen_stack) > 1:  # replacing the welcome screen
            self.switch_screen(MainScreen())
        else:
            self.push_screen(MainScreen())
        self.load_library()

    def _main(self):
        from spotui.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def open_worker_store(self):
        """A Store for the calling worker thread (one connection per thread)."""
        from spotui.store import Store

        return Store.open(self.config.db_path)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_library(self) -> None:
        self._recommender = None  # the pool is rebuilt from the new data on first use
        preload, self._preload = self._preload, None
        if preload is not None:
            preload.join()
            loaded, self._preloaded = self._preloaded, None
            if isinstance(loaded, BaseException):
                raise loaded
            rows, result = loaded
        else:
            rows, result = self.read_library()
        self.call_from_thread(self.set_data, rows, result)
        # Checking whether the stored clusters are current hashes the whole library: do it
        # after the first paint, not before.
        self.library_shown.wait(5)
        from spotui.analysis.segment import is_current  # imports numpy: after the paint too

        with self.open_worker_store() as store:
            current = result is not None and is_current(store, result)
        if not current:
            method = result.method if result is not None else "kmeans"
            k = result.requested_k if result is not None else None
            self.call_from_thread(self.start_segment, k, method)

    def set_data(self, rows: LibraryRows | None = None, result=None) -> None:
        if rows is not None:
            self.rows = rows
        if result is not None:
            self.result = result
        main = self._main()
        if main is not None and self.rows is not None:
            main.refresh_data()
            self.call_after_refresh(self.library_shown.set)

    # ------------------------------------------------------------------ segmentation
    def start_segment(self, k: int | None = None, method: str = "kmeans", force: bool = False):
        self.set_status("finding mood clusters…")
        self.segment_worker(k, method, force)

    @work(thread=True, exclusive=True, group="segment", exit_on_error=False)
    def segment_worker(self, k: int | None, method: str, force: bool) -> None:
        from spotui.analysis.segment import segment

        worker = get_current_worker()

        def progress(done: int, total: int, message: str) -> None:
            pct = f" {100 * done // total}%" if total else ""
            self.call_from_thread(self.set_status, f"segmenting{pct}: {message}")

        with self.open_worker_store() as store:
            try:
                result = segment(
                    store,
                    k=k,
                    method=method,
                    progress=progress,
                    cancel=lambda: worker.is_cancelled,
                    force=force,
                )
            finally:
                self.call_from_thread(self.set_status, "")
        if not worker.is_cancelled:
            self.call_from_thread(self.set_data, None, result)
            self.call_from_thread(
                self.notify,
                result.summary(),
                timeout=6 if result.note else 4,
            )

    def set_status(self, text: str) -> None:
        self.background_status = text
        main = self._main()
        if main is not None and main.is_mounted:
            main.update_status()

    # ------------------------------------------------------------------ lookups for widgets
    def cluster_of(self, track_id: str):
        result = self.result
        if result is None:
            return None
        cid = result.assignments.get(track_id)
        if cid is None:
            return None
        for c in result.clusters:
            if c.id == cid:
                return c
        return None

    def color_of(self, track_id: str) -> str | None:
        cluster = self.cluster_of(track_id)
        return cluster.color if cluster is not None else None

    def recommender(self):
        """The recommendation pool, built once per data change (call from a worker)."""
        with self._rec_lock:
            if self._recommender is None:
                from spotui.analysis.recommend import Recommender

                with self.open_worker_store() as store:
                    self._recommender = Recommender.from_store(store)
            return self._recommender

    def texture_coords(self) -> dict[str, tuple[float, float]]:
        """The map's PCA view for the current result (call from a worker; cached)."""
        key = self.result.fingerprint if self.result is not None else ""
        if self._texture is None or self._texture[0] != key:
            from spotui.analysis.segment import texture_coords

            with self.open_worker_store() as store:
                self._texture = (key, texture_coords(store))
        return self._texture[1]

    def library_changed(self) -> None:
        """After a sync or import: reload (or open the main screen), re-segment if needed."""
        if self._main() is not None:
            self.load_library()
        elif self.store is not None and self.store.has_library():
            self.open_main()

    def reopen_store(self) -> None:
        """The config changed (welcome -> demo): use the database it points at."""
        from spotui.store import Store

        if self.store is not None:
            self.store.close()
        self.store = Store.open(self.config.db_path)
        self.sub_title = "demo library" if self.config.demo else ""

    # ------------------------------------------------------------------ Spotify actions
    def spotify_client(self):
        """None in demo mode (queue and export then go to the demo outbox)."""
        if self.config.demo:
            return None
        from spotui.spotify.client import SpotifyClient

        return SpotifyClient(self.config)

    def queue(self, track_ids: list[str]) -> None:
        if not track_ids:
            self.notify("Nothing to queue here.", severity="warning", timeout=3)
            return
        self.queue_worker(list(track_ids))

    @work(thread=True, group="spotify", exit_on_error=False)
    def queue_worker(self, track_ids: list[str]) -> None:
        from spotui.export import queue_tracks

        client = self.spotify_client()
        try:
            result = queue_tracks(client, self.config, track_ids)
        finally:
            if client is not None:
                client.close()
        self.call_from_thread(
            self.notify,
            result.summary(),
            title="Queue",
            severity="information" if result.ok else "warning",
            timeout=6,
        )

    def export(self, make: Callable) -> None:
        """Show the dry run of ``make(client, store, public, dry_run)`` and export on OK."""
        from spotui.tui.screens.confirm import ExportDialog

        try:
            make(None, self.store, False, True)
        except UserError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return

        def done(public: bool | None) -> None:
            if public is not None:
                self.export_worker(make, public)

        self.push_screen(ExportDialog(lambda public: make(None, self.store, public, True)), done)

    def export_cluster(self, cluster_id: int) -> None:
        from spotui.export import export_cluster

        result, config = self.result, self.config
        self.export(
            lambda client, store, public, dry: export_cluster(
                client, store, config, cluster_id, public=public, dry_run=dry, result=result
            )
        )

    def export_selection(self, track_ids: list[str]) -> None:
        import hashlib

        from spotui.export import NAME_PREFIX, export_tracks

        ids, config = list(track_ids), self.config
        target = "selection:" + hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:12]
        name = f"{NAME_PREFIX}Map selection ({len(ids)} tracks)"
        about = f"{len(ids)} tracks picked on spotui's mood map."
        self.export(
            lambda client, store, public, dry: export_tracks(
                client, store, config, target, name, about, ids, public=public, dry_run=dry
            )
        )

    def queue_many(self, track_ids: list[str], what: str) -> None:
        """Queue a whole list, asking first when it is long (each track is one request)."""
        if len(track_ids) <= 25:
            self.queue(track_ids)
            return
        from spotui.tui.screens.confirm import ConfirmDialog

        body = f"Queue all {len(track_ids):,} tracks of {what}? They play after what is queued."
        self.push_screen(
            ConfirmDialog("Queue", body, "Queue"), lambda ok: ok and self.queue(track_ids)
        )

    @work(thread=True, group="spotify", exit_on_error=False)
    def export_worker(self, make: Callable, public: bool) -> None:
        client = self.spotify_client()
        try:
            with self.open_worker_store() as store:
                result = make(client, store, public, False)
        finally:
            if client is not None:
                client.close()
        self.call_from_thread(self.notify, result.summary(), title="Export", timeout=8)

    # ------------------------------------------------------------------ errors
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, Cancelled):
            return
        if isinstance(error, UserError):
            self.notify(str(error), severity="error", timeout=12)
        else:
            self.log.error(repr(error))
            self.notify(
                f"Something went wrong: {error!r}. Your library is unchanged.",
                severity="error",
                timeout=12,
            )

    # ------------------------------------------------------------------ actions
    def action_help(self) -> None:
        from spotui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_sync(self) -> None:
        if self.config.demo:
            self.notify(
                "This is the demo library; there is nothing to sync. Run `spotui` "
                "without --demo and log in to sync yours.",
                severity="warning",
            )
            return
        from spotui.tui.screens.sync import SyncScreen

        self.push_screen(SyncScreen(), lambda changed: changed and self.library_changed())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every action of the table that works here."""
        yield from super().get_system_commands(screen)
        seen = {"change_theme", "quit"}
        for action in ACTIONS:
            if not action.palette or action.name in seen:
                continue
            target = self._target(action.scope, screen)
            if target is None:
                continue
            seen.add(action.name)
            yield SystemCommand(
                f"{action.description} ({action.key_display or action.keys})",
                action.help,
                lambda a=action.name, t=target: self.call_later(t.run_action, a),
            )

    def _target(self, scope: str, screen: Screen):
        if scope == "app":
            return self
        if scope == "main" and screen is self._main():
            return screen
        if scope == "map" and screen.__class__.__name__ == "MapScreen":
            return screen
        if scope in ("recs", "tracks", "clusters"):
            found = screen.query(f"#{scope}")
            return found.first() if found else None
        return None

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()


def run_app(config: Config) -> int:
    """Run the TUI until the user quits; what ``spotui`` without a subcommand calls."""
    app = SpotuiApp(config)
    app.run()
    return app.return_code or 0
