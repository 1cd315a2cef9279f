"""SpotuiApp: screens, bindings and worker wiring over :class:`spotui.session.facade.Session`;
no business logic.

Start-up order is what keeps it instant: the library rows, the *stored* segmentation (no
scikit-learn) and the playlists are read in a thread that starts before Textual is
imported (spotui.tui.start), so the main screen is composed with them and painted once;
only then, if the library changed since that result, a worker re-segments (this is where
scikit-learn is imported) while the old clusters stay on screen.

Another spotui (a ``spotui sync``/``import``/``segment`` from a shell or cron, another
window) may change the library while the app is open: every
:data:`LIBRARY_CHECK_INTERVAL` seconds the app asks the session whether it did
(:meth:`Session.changes.poll`: one ``PRAGMA data_version`` when nothing changed, a few
microseconds; no timer while the app is suspended) and reloads with a notification. The
writes themselves are checked by the session at the moment they act (a plan confirmed on
the old library is not carried out): this timer only keeps what is shown fresh.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from spotui.config.env import Config
from spotui.core.errors import Cancelled, StaleViewError, UserError
from spotui.core.untrusted import inert
from spotui.session.facade import Session
from spotui.session.records import LibrarySnapshot
from spotui.tui.actions import ACTIONS, bindings_for, display_keys
from spotui.tui.preload import LibraryRead, read_library
from spotui.tui.rows import SORT_KEYS, LibraryRows

#: How long the first frame may wait for the library read that started before Textual
#: was imported (it is usually done by then); past that, an empty screen is painted first.
FIRST_FRAME_WAIT = 0.25
#: How many recommendations "add to this playlist" offers.
EXTEND_COUNT = 20
#: Seconds between two checks whether another program changed the library. Each is one
#: ``PRAGMA data_version`` on the session's connection while nothing changed; 2 s is soon
#: enough for a person switching back from a shell, and no load on an idle app.
LIBRARY_CHECK_INTERVAL = 2.0


class SpotuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "spotui"
    BINDINGS = bindings_for("app")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self, config: Config, session: Session | None = None, library: LibraryRead | None = None
    ) -> None:
        super().__init__()
        self.config = config
        # Opened before any worker, so a new database is created and migrated exactly once
        # (``spotui`` opens it, and starts reading the library, before importing Textual:
        # see spotui.tui.start).
        self.session = session or Session(config, on_wait=self._waiting).open(
            prepare=False, check=False
        )
        self.session.on_wait = self._waiting
        self.ui, self._start_problems = self.session.account.ui_settings(SORT_KEYS)
        self.load_keymap()
        self.rows: LibraryRows | None = None
        #: The user's own playlists ``(Playlist, track count)`` and their track ids.
        self.playlists: list = []
        self.playlist_items: dict[str, list[str]] = {}
        self.background_status = ""
        #: A typed error that ended the app (re-raised by ``run_tui`` for the CLI).
        self.user_error: UserError | None = None
        #: Tracks that joined a mood since the user last looked at it (marked "+").
        self.news: set[str] = set()
        #: The mood map's last selection (kept when the map is closed and reopened).
        self.map_selection: list[str] = []
        #: Set once the main screen first shows the library (benchmarks wait for it).
        self.library_shown = threading.Event()
        #: The first read of the library, under way while Textual starts.
        self._library_read: LibraryRead | None = library or LibraryRead(self.session)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: most carry names (queued tracks, an exported
        playlist, an error naming a track), and Textual would parse them as markup (a
        ``[/]`` raises) and pass control characters through. Screens' and widgets'
        ``notify`` end here too. ``markup`` is accepted for Textual's signature and ignored.
        """
        super().notify(
            inert(message, multiline=True),
            title=inert(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _waiting(self, message: str) -> None:
        """A job waits for another program (a sync, the database); any thread."""
        self.notify(message, title="Waiting", severity="warning", timeout=8)

    @property
    def result(self):
        """The segmentation on screen (:class:`spotui.analysis.moods.result.SegmentResult`)."""
        return self.session.moods.result

    # ------------------------------------------------------------------ settings
    def load_keymap(self) -> None:
        """Apply config.toml's ``[keys]`` (checked against the key table first)."""
        from spotui.tui.keymap import check_keymap

        keymap, problems = self.session.account.keymap()
        self.keymap, more = check_keymap(keymap)
        self._start_problems += problems + more + self.session.moods.settings()[1]
        self.set_keymap(self.keymap)

    def apply_theme(self) -> None:
        """The remembered theme; from now on, a theme change is remembered."""
        theme = self.ui.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            self._start_problems.append(f"[ui] theme {theme!r} is not installed; using the default")
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        self.remember(theme=theme.name)

    def remember(self, **changes) -> None:
        """Change and save settings (``theme``, ``sort``, ``new_only``, pane sizes)."""
        for key, value in changes.items():
            setattr(self.ui, key, value)
        try:
            self.session.account.save_ui_settings(self.ui)
        except UserError as exc:
            self.notify(f"Settings not saved: {exc}", severity="error", timeout=10)

    # ------------------------------------------------------------------ start-up
    def on_mount(self) -> None:
        self.sub_title = "demo library" if self.config.demo else ""
        self.apply_theme()
        if self.session.notice:
            self.notify(self.session.notice.message, severity="warning", timeout=15)
        if self._start_problems:
            self.notify(
                "\n".join(self._start_problems),
                title=f"Settings in {self.config.config_path.name}",
                severity="warning",
                timeout=15,
            )
        self.watch_library()
        if not self.config.demo and not self.session.library.has_library():
            from spotui.tui.screens.welcome import WelcomeScreen

            self._library_read = None  # an empty library; whatever comes next reloads
            self.push_screen(WelcomeScreen())
            return
        self.open_main()

    def watch_library(self) -> None:
        """Check for another program's changes on a timer, paused while the app is
        suspended (ctrl+z, a shell run from it): nothing is on screen to keep fresh then."""
        timer = self.set_interval(LIBRARY_CHECK_INTERVAL, self.check_library)
        self.app_suspend_signal.subscribe(self, lambda _app: timer.pause())
        self.app_resume_signal.subscribe(self, lambda _app: timer.resume())

    def check_library(self) -> None:
        """Another program changed the library: reload it and say so (silently when the
        user was told already, by an export that did not happen)."""
        if self._main() is None:
            return
        try:
            moved = self.session.changes.poll()
        except UserError:
            return  # the database is busy or gone for now: the next tick asks again
        if moved is None:
            return
        if not moved.told:
            self.notify(moved.summary(), title="Library", timeout=8)
        self.load_library()

    def open_main(self) -> None:
        from spotui.tui.screens.main import MainScreen

        read, self._library_read = self._library_read, None
        if read is not None and read.ready(FIRST_FRAME_WAIT):
            # Taken before the screen is made, so its first frame shows the library: one
            # layout and paint instead of an empty screen and then another.
            self._take(*read.result())
            read = None
        if len(self.screen_stack) > 1:  # replacing the welcome screen
            self.switch_screen(MainScreen())
        else:
            self.push_screen(MainScreen())
        self.load_library(read, reread=self.rows is None)

    def _main(self):
        from spotui.tui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_library(self, read: LibraryRead | None = None, reread: bool = True) -> None:
        """(Re)read the library and show it; then, after the first paint, what may wait:
        the playback line and whether the stored clusters are still current."""
        self.session.library.changed()  # the pool is rebuilt from the new data on first use
        if reread:
            rows, snapshot = read.result() if read is not None else read_library(self.session)
            self.call_from_thread(self._show, rows, snapshot)
        result = self.session.moods.result
        # Checking whether the stored clusters are current hashes the whole library: do it
        # after the first paint, not before (it imports numpy, too).
        self.library_shown.wait(5)
        self.call_from_thread(self.refresh_playback)  # one request, after the first paint
        if not self.session.moods.is_current(result):
            self.call_from_thread(self.start_segment)
            return
        news = self.session.moods.news()
        if news != self.news:
            self.news = news
            self.call_from_thread(self.set_data)

    def _take(self, rows: LibraryRows, snapshot: LibrarySnapshot) -> None:
        self.playlists = snapshot.playlists
        self.playlist_items = snapshot.playlist_items
        self.rows = rows

    def _show(self, rows: LibraryRows, snapshot: LibrarySnapshot) -> None:
        self._take(rows, snapshot)
        self.set_data()

    def set_data(self, rows: LibraryRows | None = None) -> None:
        """The rows or the segmentation changed: redraw the main screen from them."""
        if rows is not None:
            self.rows = rows
        main = self._main()
        if main is not None and self.rows is not None:
            main.refresh_data()

    # ------------------------------------------------------------------ segmentation
    def start_segment(self, choice: tuple[int | None, str] | None = None) -> None:
        """Segment in a worker: with ``(k, method)`` as chosen, or (None) the clusters the
        user sees brought up to date. The old clusters stay on screen meanwhile."""
        self.set_status("finding mood clusters…")
        self.segment_worker(choice)

    @work(thread=True, exclusive=True, group="segment", exit_on_error=False)
    def segment_worker(self, choice: tuple[int | None, str] | None) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int, message: str) -> None:
            pct = f" {100 * done // total}%" if total else ""
            self.call_from_thread(self.set_status, f"segmenting{pct}: {message}")

        def cancel() -> bool:
            return worker.is_cancelled

        try:
            if choice is None:
                result = self.session.moods.clusters(progress, cancel)
            else:
                k, method = choice
                result = self.session.moods.segment(
                    "auto" if k is None else k,
                    method,
                    refit=True,
                    progress=progress,
                    cancel=cancel,
                    wait=True,
                )
            news = self.session.moods.news()
        finally:
            self.call_from_thread(self.set_status, "")
        if not worker.is_cancelled:
            self.news = news
            self.call_from_thread(self.set_data)
            lines = [] if result.reused else result.change_lines()
            self.call_from_thread(
                self.notify,
                "\n".join(lines) if lines else result.summary(),
                title="Moods" if lines else "",
                timeout=8 if lines else 6 if result.note else 4,
                markup=False,
            )

    def news_by_mood(self) -> dict[int, int]:
        """Cluster id -> how many of its tracks are new in it (the cluster list's "+N")."""
        result = self.result
        out: dict[int, int] = {}
        if result is None or not self.news:
            return out
        for tid in self.news:
            cid = result.assignments.get(tid)
            if cid is not None:
                out[cid] = out.get(cid, 0) + 1
        return out

    def is_new(self, track_id: str) -> bool:
        """Whether the track joined its mood since the user last looked at that mood."""
        return track_id in self.news

    def mark_seen(self, track_ids: list[str]) -> None:
        """The user has looked at these new tracks in their mood (kept in the store)."""
        seen = [t for t in track_ids if t in self.news]
        if seen:
            self.news.difference_update(seen)
            self._mark_seen_worker(seen)

    @work(thread=True, group="seen", exit_on_error=False)
    def _mark_seen_worker(self, track_ids: list[str]) -> None:
        self.session.moods.mark_seen(track_ids)

    def set_status(self, text: str) -> None:
        self.background_status = text
        main = self._main()
        if main is not None and main.is_mounted:
            main.update_status()

    def color_of(self, track_id: str) -> str | None:
        cluster = self.session.moods.cluster_of(track_id)
        return cluster.color if cluster is not None else None

    def texture_coords(self) -> dict[str, tuple[float, float]]:
        """The map's PCA view for the current result (call from a worker)."""
        return self.session.moods.texture_coords()

    def library_changed(self) -> None:
        """After a sync or import: reload (or open the main screen), re-segment if needed."""
        if self._main() is not None:
            self.load_library()
        elif self.session.library.has_library():
            self.open_main()

    def use_demo(self) -> None:
        """From the welcome screen: open the demo library (its own database)."""
        self.session.close()
        self.config = dataclasses.replace(self.config, demo=True)
        self.session = Session(self.config, on_wait=self._waiting).open(prepare=False, check=False)
        self.sub_title = "demo library"
        self.open_main()

    # ------------------------------------------------------------------ Spotify actions
    def queue(self, track_ids: list[str], view: int | None = None) -> None:
        """Queue these tracks, chosen in the library as of generation ``view`` (default: the
        one shown now; the session refuses if another program changed it since)."""
        if not track_ids:
            self.notify("Nothing to queue here.", severity="warning", timeout=3)
            return
        self.queue_worker(list(track_ids), view=self.session.changes.view if view is None else view)

    def queue_many(self, track_ids: list[str], what: str) -> None:
        """Queue a whole list (``what`` names it), asking first when the core says to."""
        question = self.session.player.ask_before_queueing(len(track_ids), what)
        if question is None:
            self.queue(track_ids)
            return
        from spotui.tui.screens.confirm import ConfirmDialog

        view = self.session.changes.view  # what the question was asked about
        self.push_screen(
            ConfirmDialog("Queue", question, "Queue"),
            lambda ok: ok and self.queue(track_ids, view),
        )

    def key_for(self, action_id: str) -> str:
        """The key the user presses for ``action_id`` (their ``[keys]`` remap, if any), for
        messages that say what to press next."""
        from spotui.tui.actions import ACTIONS, display_keys

        action = next(a for a in ACTIONS if a.id == action_id)
        return display_keys(action, self.keymap).split(" ")[0]

    def skip(self, track_id: str) -> None:
        """Not this one: the core remembers it, so it is not offered again for a while; the
        message names the track and the key that takes it back."""
        result = self.session.recommendations.skip([track_id])
        undo = self.key_for("main.undo_skip")
        self.notify(f"{result.summary()} {undo} to undo.", timeout=6)

    def unskip(self, track_id: str) -> None:
        """Take a skip back (the core forgets it); the message names the track."""
        self.notify(self.session.recommendations.unskip([track_id]).summary(), timeout=4)

    @work(thread=True, group="spotify", exit_on_error=False)
    def queue_worker(
        self, track_ids: list[str], device: str | None = None, view: int | None = None
    ) -> None:
        from spotui.core.text import count
        from spotui.export.queue import NoActiveDeviceError

        try:
            result = self.session.player.queue(track_ids, device=device, view=view)
        except NoActiveDeviceError as exc:  # offer the devices instead of an error
            note = f"Nothing is playing. Queue {count(len(track_ids), 'track')} on:"
            self.call_from_thread(
                self.choose_device,
                exc.devices,
                note,
                lambda d: self.queue_worker(track_ids, d, view),
            )
            return
        self.call_from_thread(
            self.notify,
            result.summary(),
            title="Queue",
            severity="information" if result.ok else "warning",
            timeout=6,
        )
        self.call_from_thread(self.refresh_playback)

    # ------------------------------------------------------------------ playback
    def can_play(self) -> bool:
        """Whether asking Spotify about playback can work (demo, or logged in)."""
        return self.config.demo or bool(
            self.session.config.client_id and self.config.token_path.exists()
        )

    def refresh_playback(self) -> None:
        """Ask once where playback is (called on demand, never on a timer)."""
        if self.can_play():
            self.playback_worker()

    @work(thread=True, exclusive=True, group="playback", exit_on_error=False)
    def playback_worker(self) -> None:
        try:
            state = self.session.player.playback()
        except UserError as exc:
            self.call_from_thread(self._show_playback, None, str(exc))
            return
        self.call_from_thread(self._show_playback, state, "")

    def _show_playback(self, state, problem: str) -> None:
        from spotui.tui.widgets.playback import PlaybackLine

        main = self._main()
        if main is None or not main.is_mounted:
            return
        line = main.query_one(PlaybackLine)
        line.show(state) if state is not None else line.problem(problem)

    def choose_device(self, devices: list | None = None, note: str = "", then=None) -> None:
        """The device picker; the chosen device gets playback (or ``then(device_id)``)."""
        from spotui.tui.screens.devices import DevicePicker

        def chosen(device_id: str | None) -> None:
            if device_id:
                (then or self.transfer_worker)(device_id)

        self.push_screen(DevicePicker(devices, note), chosen)

    @work(thread=True, group="spotify", exit_on_error=False)
    def transfer_worker(self, device_id: str) -> None:
        device = self.session.player.transfer(device_id)
        demo = " (demo: written to the outbox)" if self.config.demo else ""
        self.call_from_thread(self.notify, f"Playback moved to {device.name}.{demo}", timeout=4)
        self.call_from_thread(self.refresh_playback)

    def export(self, target) -> None:
        """Show the dry run of exporting ``target`` (an ExportTarget); export on OK."""
        from spotui.tui.screens.confirm import ExportDialog

        def plan(public: bool):
            return self.session.exports.export(target, public=public, dry_run=True)

        try:
            plan(False)
        except UserError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return

        def done(public: bool | None) -> None:
            if public is not None:
                self.export_worker(target, public)

        outbox = self.config.outbox_path if self.config.demo else None
        self.push_screen(ExportDialog(plan, outbox), done)

    def export_cluster(self, cluster_id: int) -> None:
        self.export(self.session.exports.cluster_target(cluster_id))

    def export_selection(self, track_ids: list[str]) -> None:
        self.export(self.session.exports.selection_target(track_ids))

    def extend_playlist(self, playlist_id: str, new_only: bool = False) -> None:
        """Recommend for one of the user's playlists, show the exact plan of adding them to
        its end, and add them on OK (if the library is still the one shown now)."""
        self.extend_plan_worker(playlist_id, new_only, self.session.changes.view)

    @work(thread=True, group="spotify", exit_on_error=False)
    def extend_plan_worker(self, playlist_id: str, new_only: bool, view: int | None) -> None:
        from spotui.session.seeds import Seeds

        recs = self.session.recommendations.recommend(
            Seeds.playlist(playlist_id), n=EXTEND_COUNT, new_only=new_only
        )
        plan = self.session.exports.extend_playlist(recs, dry_run=True)
        self.call_from_thread(self._confirm_extend, recs, plan, view)

    def _confirm_extend(self, recs, plan, view: int | None) -> None:
        from spotui.tui.screens.confirm import ConfirmDialog

        dialog = ConfirmDialog(f"Add to “{plan.name}”", plan.question(), "Add")
        self.push_screen(dialog, lambda ok: ok and self.extend_worker(recs, view))

    @work(thread=True, group="spotify", exit_on_error=False)
    def extend_worker(self, recs, view: int | None) -> None:
        result = self.session.exports.extend_playlist(recs, view=view)
        self.call_from_thread(self.notify, result.summary(), title="Playlist", timeout=8)
        self.call_from_thread(self.load_library)  # the playlist holds more tracks now

    @work(thread=True, group="spotify", exit_on_error=False)
    def export_worker(self, target, public: bool) -> None:
        result = self.session.exports.export(target, public=public)
        self.call_from_thread(self.notify, result.summary(), title="Export", timeout=8)

    # ------------------------------------------------------------------ errors
    def _handle_exception(self, error: Exception) -> None:
        """A typed core error raised on the app's own thread (the store turned out damaged
        or unwritable while painting a pane, opening the demo): Textual stops the widget
        that raised, so the app ends cleanly and ``run_tui`` hands the error to the
        CLI's handler, which prints its message and exits with its code; no traceback.
        Anything else is a bug: Textual's own handling. Workers report below, and go on."""
        if isinstance(error, UserError):
            self.user_error = error
            self.exit(return_code=error.exit_code)
            return
        super()._handle_exception(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, Cancelled):
            return
        if isinstance(error, UserError):
            self.notify(str(error), severity="error", timeout=12)
            if isinstance(error, StaleViewError):
                self.check_library()  # the rows follow the moods the session read again
            main = self._main()
            if event.worker.group == "load" and main is not None and self.rows is None:
                main.load_failed(str(error))  # stays on screen after the notification
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
        seen = {"change_theme", "quit", "Theme", "Quit"}
        for action in ACTIONS:
            # once each: by action (a pane's and the screen's) and by title
            if not action.palette or {action.name, action.description} & seen:
                continue
            target = self._target(action.scope, screen)
            if target is None:
                continue
            seen.update((action.name, action.description))
            yield SystemCommand(
                f"{action.description} ({display_keys(action, self.keymap)})",
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
        self.session.close()
