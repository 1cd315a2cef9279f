"""SpotuiApp: screens, bindings and worker wiring over :class:`spotui.session.facade.Session`;
no business logic.

What the user asks for that talks to Spotify or changes the library (queue, export, add
to a playlist, devices, import) arrives as a request message (:mod:`spotui.tui.messages`)
from the widget or screen where the key was pressed; the app hands it to its flow
(:mod:`spotui.tui.flows`) and reports what any worker raised, in one place. What the
faces read of the app is typed by :class:`spotui.tui.typed.SpotuiAppView`.

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
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from spotui.config.env import Config
from spotui.core.errors import Cancelled, StaleViewError, UserError
from spotui.core.untrusted import inert
from spotui.session.facade import Session
from spotui.session.records import LibrarySnapshot
from spotui.tui import messages
from spotui.tui.actions import ACTIONS, bindings_for, display_keys
from spotui.tui.flows.csv_import import ImportFlow
from spotui.tui.flows.devices import DevicesFlow
from spotui.tui.flows.export import ExportFlow
from spotui.tui.flows.extend import ExtendFlow
from spotui.tui.flows.queue import QueueFlow
from spotui.tui.flows.radio import RadioFlow
from spotui.tui.flows.reorder import ReorderFlow
from spotui.tui.preload import LibraryRead, read_library
from spotui.tui.rows import SORT_KEYS, LibraryRows

#: How long the first frame may wait for the library read that started before Textual
#: was imported (it is usually done by then); past that, an empty screen is painted first.
FIRST_FRAME_WAIT = 0.25
#: Seconds between two checks whether another program changed the library. Each is one
#: ``PRAGMA data_version`` on the session's connection while nothing changed; 2 s is soon
#: enough for a person switching back from a shell, and no load on an idle app.
LIBRARY_CHECK_INTERVAL = 2.0


class SpotuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "spotui"
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("app",)
    BINDINGS = bindings_for(*SCOPES)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    #: What background work says it is doing (the main screen's status line watches it).
    background_status: var[str] = var("")
    #: Where playback is: a Playback, a PlaybackProblem, the "asking" line, or None (the
    #: playback line watches it; set on demand by the devices flow, never polled).
    playback: var[object] = var(None, always_update=True)

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
        self.devices = DevicesFlow(self)
        self.queueing = QueueFlow(self, self.devices)
        self.exporting = ExportFlow(self)
        self.extending = ExtendFlow(self)
        self.importing = ImportFlow(self)
        self.reordering = ReorderFlow(self)
        self.radio = RadioFlow(self)

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

    def color_of(self, track_id: str) -> str | None:
        cluster = self.session.moods.cluster_of(track_id)
        return cluster.color if cluster is not None else None

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

    # ------------------------------------------------------------------ flows
    def key_for(self, action_id: str) -> str:
        """The key the user presses for ``action_id`` (their ``[keys]`` remap, if any), for
        messages that say what to press next."""
        action = next(a for a in ACTIONS if a.id == action_id)
        return display_keys(action, self.keymap).split(" ")[0]

    def can_play(self) -> bool:
        """Whether asking Spotify about playback can work (demo, or logged in)."""
        return self.config.demo or bool(
            self.session.config.client_id and self.config.token_path.exists()
        )

    def refresh_playback(self) -> None:
        self.devices.refresh()

    def on_queue_requested(self, event: messages.QueueRequested) -> None:
        if event.what is None:
            self.queueing.queue(event.track_ids, event.view)
        else:
            self.queueing.queue_many(event.track_ids, event.what)

    def on_skip_requested(self, event: messages.SkipRequested) -> None:
        self.queueing.skip(event.track_id)
        self.radio.skip(event.track_id)  # skipping the radio's playing track teaches it

    def on_radio_requested(self, event: messages.RadioRequested) -> None:
        self.radio.toggle(event.seeds, event.discover)

    def on_radio_stop_requested(self, event: messages.RadioStopRequested) -> None:
        self.radio.stop_asked()

    def on_radio_skip_requested(self, event: messages.RadioSkipRequested) -> None:
        self.radio.skip(event.track_id)

    def on_unskip_requested(self, event: messages.UnskipRequested) -> None:
        self.queueing.unskip(event.track_id)

    def on_export_requested(self, event: messages.ExportRequested) -> None:
        self.exporting.start(event.target)

    def on_selection_export_requested(self, event: messages.SelectionExportRequested) -> None:
        self.exporting.start_selection(event.track_ids)

    def on_extend_requested(self, event: messages.ExtendRequested) -> None:
        self.extending.start(event.playlist_id, event.new_only)

    def on_device_choice_requested(self, event: messages.DeviceChoiceRequested) -> None:
        self.devices.choose_asked()

    def on_playback_refresh_requested(self, event: messages.PlaybackRefreshRequested) -> None:
        self.devices.refresh_asked(lambda line: setattr(self, "playback", line))

    def on_import_requested(self, event: messages.ImportRequested) -> None:
        self.importing.start(event.first)

    def on_reorder_requested(self, event: messages.ReorderRequested) -> None:
        self.reordering.start(event.playlist_id, event.name, event.arc, event.start)

    def on_rec_detail_requested(self, event: messages.RecDetailRequested) -> None:
        from spotui.tui.screens.rec_detail import RecDetailScreen

        self.push_screen(RecDetailScreen(event.answer, event.index))

    # ------------------------------------------------------------------ errors
    def fail(self, error: UserError) -> None:
        """A typed error a worker met reading what the UI needed (a track's detail): end the
        app as if it had been raised on the app's own thread, where that read used to be."""
        self._handle_exception(error)

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

    def _target(self, scope: str, screen: Screen) -> DOMNode | None:
        """Who runs an action of ``scope`` on ``screen``: the app, the screen or one of its
        widgets, whichever declares the scope in its ``SCOPES``."""
        if scope in self.SCOPES:
            return self
        if scope in getattr(screen, "SCOPES", ()):
            return screen
        return next((w for w in screen.walk_children() if scope in getattr(w, "SCOPES", ())), None)

    def on_unmount(self) -> None:
        self.radio.stop()  # its worker ends after the step it is in
        self.session.close()
