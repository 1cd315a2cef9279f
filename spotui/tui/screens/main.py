"""The main screen: clusters | tracks on top, detail | recommendations below.

The screen keeps only view state (which source, filter, sort, new-only); the library rows
and the segmentation result live on the app, which calls :meth:`MainScreen.refresh_data`
whenever they change. Every store read (a track's detail, recommendations and their
title) is in a thread worker, so moving the cursor never waits for the disk. What the
keys ask for that talks to Spotify or changes the library (queue, export, add to a
playlist, devices, import) is posted as a request message; the app's flows do it.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from spotui.core.errors import Cancelled, NoFeaturesError, UserError
from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.session.seeds import Seeds
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.rows import ASCENDING_FIRST, SORT_KEYS, SORT_LABELS
from spotui.tui.source import ALL, SELECTION, UNANALYSED, Source
from spotui.tui.typed import spotui_app
from spotui.tui.widgets.cluster_list import ClusterAbout, ClusterList
from spotui.tui.widgets.feature_bars import FeatureBars
from spotui.tui.widgets.key_bar import KeyBar
from spotui.tui.widgets.playback import PlaybackLine
from spotui.tui.widgets.recommendations import (
    RecommendationList,
    RecommendationPane,
    no_features_hint,
    nothing_found,
    recs_mode,
)
from spotui.tui.widgets.title_bar import TitleBar
from spotui.tui.widgets.track_table import TrackTable

#: How many recommendations the pane asks for.
REC_COUNT = 20
#: Wait this long after the cursor stops before asking for recommendations.
REC_DELAY = 0.15
DISCOVER_DELAY = 0.6  # with discovery on, each new seed may cost a request: wait longer
FILTER_DELAY = 0.08
#: The most tracks ``o`` orders: the solver holds a few n x n matrices and takes ~1.5 s
#: of CPU at 2,000 tracks; beyond that, a filter or a mood says which tracks are meant.
ORDER_MAX = 2000
ORDER_WHAT = (
    "Highlight a mood cluster, one of your playlists or a map selection, or filter (/), "
    "to order the tracks shown."
)
ORDER_SIZE = "An order needs 2 to 2,000 tracks; {n} are shown. Filter (/) or pick a mood."
#: The names of the sources that are not a mood or a playlist, as the cluster list says them.
_FIXED_NAMES = {"all": "All tracks", "unanalysed": "Unanalysed", "selection": "Map selection"}


class MainScreen(Screen):
    #: The action scopes this class runs (see spotui.tui.actions).
    SCOPES = ("main",)
    BINDINGS = bindings_for(*SCOPES)
    PANES = ("#clusters", "#tracks", "#detail-scroll", "#recs")

    spotui_app = property(spotui_app)

    # The view state: what is listed, how, and what the recommendations are for.
    source: var[Source] = var(ALL)
    query_text: var[str] = var("")
    sort_key: var[str | None] = var(None)
    descending: var[bool] = var(False)
    new_only: var[bool] = var(False)
    discover: var[bool] = var(False)  # not remembered: starting the app never asks ReccoBeats
    selection: var[list[str] | None] = var(None)
    track_id: var[str | None] = var(None)

    def __init__(self) -> None:
        super().__init__()
        ui = self.spotui_app.ui  # remembered in config.toml
        self.sort_key = ui.sort
        self.descending = ui.sort_descending
        self.new_only = ui.new_only
        self._rec_timer = None
        self._filter_timer = None
        self._rec_key: tuple | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="top"):
            with Vertical(id="clusters-pane"):
                yield ClusterList(id="clusters")
                yield ClusterAbout(id="cluster-about")
            with Vertical(id="tracks-pane"):  # the filter box is mounted on first use (/)
                yield TrackTable(id="tracks", on_painted=self.spotui_app.library_shown.set)
        with Horizontal(id="bottom"):
            with VerticalScroll(id="detail-scroll"):
                yield FeatureBars(id="detail")
            yield RecommendationPane(id="recs-pane")
        with Horizontal(id="status-bar"):
            yield Static(id="status")
            yield PlaybackLine(id="playback")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#clusters-pane").border_title = "Clusters"
        self.query_one("#tracks-pane").border_title = "Tracks"
        self.query_one("#detail-scroll").border_title = "Detail"
        self.query_one("#detail-scroll").border_subtitle = "┃ cluster centre"
        self.query_one("#recs-pane").border_title = "Recommendations"
        self.query_one("#detail", FeatureBars).show(None, None, None, "Loading your library…")
        self.query_one("#recs", RecommendationList).message("Loading…")
        self.query_one("#tracks", TrackTable).focus()
        self.apply_pane_sizes()
        self.watch(self.app, "background_status", self._status_changed, init=False)
        if self.spotui_app.rows is not None:  # read before the screen was made (open_main)
            self.refresh_data()

    def _status_changed(self, _status: str) -> None:
        self.update_status()

    def on_resize(self) -> None:
        self.query_one(ClusterList).fit_width()

    # ------------------------------------------------------------------ data in
    def load_failed(self, message: str) -> None:
        """The library could not be read (a damaged file...): say why where it would be."""
        self.query_one("#detail", FeatureBars).show(None, None, None, message)
        self.query_one("#recs", RecommendationList).message("Nothing to show.")

    def refresh_data(self) -> None:
        """The app's rows or segmentation result changed: redraw everything from them."""
        app = self.spotui_app
        rows, result = app.rows, app.result
        if rows is None:
            return
        if result is None:
            clusters, unanalysed = [], 0
        else:
            clusters, unanalysed = result.clusters, len(rows.rows_for(result.unanalysed))
        selection = len(self.selection) if self.selection is not None else None
        cluster_list = self.query_one(ClusterList)
        cluster_list.show(
            len(rows),
            clusters,
            unanalysed,
            selection,
            keep=self.source,
            playlists=app.playlists,
            news=app.news_by_mood(),
        )
        self.source = cluster_list.current or ALL
        self.show_about()
        self._rec_key = None
        self.refresh_tracks()

    def source_rows(self) -> list[int] | None:
        """The table rows of the source listed (None: every row)."""
        app, source = self.spotui_app, self.source
        rows, result = app.rows, app.result
        if source.kind == "all" or rows is None:
            return None
        if source.kind == "selection":
            return rows.rows_for(self.selection or [])
        if source.playlist_id is not None:
            return rows.rows_for(app.playlist_items.get(source.playlist_id, []))
        if result is None:
            return []
        if source.kind == "unanalysed":
            return rows.rows_for(result.unanalysed)
        cid = source.cluster_id
        return rows.rows_for(result.tracks_in(cid)) if cid is not None else []

    def refresh_tracks(self, keep: str | None = None, top: bool = False) -> None:
        """Show the current view; the cursor stays on its track unless ``top``."""
        app = self.spotui_app
        rows = app.rows
        if rows is None:
            return
        view = rows.view(self.source_rows(), self.query_text, self.sort_key, self.descending)
        table = self.query_one(TrackTable)
        table.show(
            rows,
            view,
            app.color_of,
            self.sort_key,
            self.descending,
            keep=None if top else keep or self.track_id,
            is_new=app.is_new,
        )
        self._update_titles()

    def _update_titles(self) -> None:
        table = self.query_one(TrackTable)
        name = self.source_name()
        shown = f"{table.view_size:,}"
        if self.query_text:
            shown += f" matching “{self.query_text}”"
        # Text, not str: Textual parses a str title as markup, and the playlist name and the
        # typed filter are anybody's text (a "[/]" in either raised MarkupError)
        self.query_one("#tracks-pane").border_title = Text(inert(f"Tracks · {name}"))
        self.query_one("#tracks-pane").border_subtitle = Text(inert(shown))
        pane = self.query_one("#recs-pane")
        pane.border_subtitle = recs_mode(self.discover, self.new_only)
        self.update_status()

    def source_name(self) -> str:
        """What the tracks pane is titled: the source's name as the cluster list shows it."""
        source = self.source
        if source.kind in _FIXED_NAMES:
            return _FIXED_NAMES[source.kind]
        if source.playlist_id is not None:
            pid = source.playlist_id
            return next((p.name for p, _ in self.spotui_app.playlists if p.id == pid), pid)
        return self._cluster_label(source.cluster_id) or source.key()

    def _cluster_label(self, cluster_id: int | None) -> str | None:
        result = self.spotui_app.result
        if result is None or cluster_id is None:
            return None
        return next((c.label for c in result.clusters if c.id == cluster_id), None)

    def update_status(self) -> None:
        """The status line, short enough for the left half of 80 columns (the playback line
        has the right): "8 moods (kmeans) · sorted by Energy ▼ · <work>", then "…"."""
        parts = []
        result = self.spotui_app.result
        if result is not None:
            n = len(result.clusters)
            parts.append(f"{count(n, 'mood')} ({result.method})")
        if self.sort_key:
            # by name, not from the column header: at 80 columns the feature columns are
            # folded into one bar column and the sorted feature has no header of its own
            arrow = "▼" if self.descending else "▲"
            parts.append(f"sorted by {SORT_LABELS[self.sort_key]} {arrow}")
        work = self.spotui_app.background_status
        if work:
            parts.append(work)
        line = Text(inert(" · ".join(parts)), no_wrap=True, overflow="ellipsis")
        self.query_one("#status", Static).update(line)

    # ------------------------------------------------------------------ events
    def show_about(self) -> None:
        app = self.spotui_app
        self.query_one(ClusterAbout).show(self.source, app.result, app.rows)

    def on_source_highlighted(self, event: messages.SourceHighlighted) -> None:
        if event.source == self.source and self.query_one(TrackTable).view_size:
            self.show_about()
            return
        app = self.spotui_app
        left = self.source.cluster_id
        if left is not None and app.result is not None and app.news:
            app.mark_seen(app.result.tracks_in(left))  # its "+" marks were seen
            self.query_one(ClusterList).show_news(app.news_by_mood())
        self.source = event.source
        self.show_about()
        self.refresh_tracks()
        if self.focused is self.query_one(ClusterList):
            self.schedule_recs()

    def on_track_highlighted(self, event: messages.TrackHighlighted) -> None:
        self.track_id = event.track_id
        self.show_detail()
        if self.focused is not self.query_one(ClusterList):
            self.schedule_recs()

    def on_track_chosen(self, event: messages.TrackChosen) -> None:
        self.track_id = event.track_id
        self.show_detail()
        self.schedule_recs(delay=0)
        self.query_one(RecommendationList).focus()

    def on_descendant_focus(self) -> None:
        # Recommendations follow the focus: the cluster when the cluster list has it.
        if self.focused is self.query_one(ClusterList) or isinstance(self.focused, TrackTable):
            self.schedule_recs()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key in SORT_KEYS:
            self.action_sort(key)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self.apply_filter(event.value))

    def apply_filter(self, text: str) -> None:
        if text == self.query_text:
            return
        self.query_text = text
        self.refresh_tracks()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.apply_filter(event.value)
            self.query_one(TrackTable).focus()

    # ------------------------------------------------------------------ detail
    def show_detail(self) -> None:
        """The highlighted track's detail, read in a worker (the latest cursor wins)."""
        if self.track_id is None:
            note = "No tracks here." if self.spotui_app.rows is not None else ""
            self.query_one(FeatureBars).show(None, None, None, note)
            return
        self._read_detail(self.track_id)

    @work(thread=True, group="detail", exit_on_error=False)
    def _read_detail(self, track_id: str) -> None:
        """One short read per cursor move, as on the UI thread before; not exclusive (a
        cancelled worker fails whoever waits for the workers), an answer the cursor left
        behind is dropped instead. A typed error (the store turned out damaged) ends the
        app as it did when this read was on the UI thread: the CLI's handler says it."""
        app = self.spotui_app
        try:
            detail = app.session.moods.track_detail(track_id)
        except UserError as exc:
            app.call_from_thread(app.fail, exc)
            return
        app.call_from_thread(self._show_detail, track_id, detail)

    def _show_detail(self, track_id: str, d) -> None:
        if track_id == self.track_id:  # else the cursor moved on meanwhile
            self.query_one(FeatureBars).show(
                d.track, d.features, d.cluster, d.note, d.why, d.why_numbers
            )

    # ------------------------------------------------------------------ recommendations
    def rec_target(self) -> Seeds | None:
        """What the recommendations pane recommends for: the focused cluster or selection,
        else the highlighted track."""
        if self.focused is self.query_one(ClusterList):
            return self._source_seeds()
        if self.track_id is None:
            return None
        return Seeds.track(self.track_id)

    def _source_seeds(self) -> Seeds | None:
        """What the source listed is recommended by: a cluster, the selection, a playlist."""
        app, source = self.spotui_app, self.source
        if source.cluster_id is not None and app.result is not None:
            return Seeds.cluster(source.cluster_id)
        if source.kind == "selection" and self.selection:
            return Seeds.selection(self.selection)
        pid = source.playlist_id
        if pid is not None and app.playlist_items.get(pid):
            return Seeds.playlist(pid)
        return None

    def schedule_recs(self, delay: float = REC_DELAY) -> None:
        if delay and self.discover:
            delay = DISCOVER_DELAY  # each new seed may be a request: wait for the cursor
        if self._rec_timer is not None:
            self._rec_timer.stop()
        self._rec_timer = self.set_timer(delay, self.refresh_recs) if delay else None
        if not delay:
            self.refresh_recs()

    def refresh_recs(self) -> None:
        target = self.rec_target()
        recs = self.query_one(RecommendationList)
        if target is None:
            if self.source in (ALL, UNANALYSED):
                self._rec_key = None
                self.query_one("#recs-pane").border_title = "Recommendations"
                recs.message("Highlight a track (or a cluster) to see what sounds like it.")
            return
        key = (target, self.new_only, self.discover)
        if key == self._rec_key:
            return
        self.show_recs(target)

    @work(thread=True, exclusive=True, group="recs", exit_on_error=False)
    def compute_recs(self, seeds: Seeds, new_only: bool, discover: bool = False) -> None:
        """The pane's title (it names a track: a store read), then the recommendations."""
        worker = get_current_worker()
        app = self.spotui_app
        if not self._title_recs(seeds, worker):
            return
        recs = self.query_one(RecommendationList)
        try:
            answer = app.session.recommendations.recommend(
                seeds,
                n=REC_COUNT,
                new_only=new_only,
                discover=discover,
                cancel=lambda: worker.is_cancelled,
            )
        except Cancelled:  # the cursor moved on while discovery was asking
            return
        except UserError as exc:
            if not worker.is_cancelled:
                app.call_from_thread(recs.message, _rec_problem(exc, app.config.demo))
            return
        if worker.is_cancelled:
            return
        found = answer.discovery
        if found is not None and found.error:
            app.call_from_thread(self.notify, found.note(), severity="warning", timeout=8)
        app.call_from_thread(recs.show, answer, nothing_found(discover, new_only))

    def _title_recs(self, seeds: Seeds, worker) -> bool:
        """Title the pane for ``seeds`` (in the worker: it reads the store); False when the
        app ends instead, as it did when this read failed on the UI thread."""
        app = self.spotui_app
        try:
            title = app.session.recommendations.pane_title(seeds)
        except UserError as exc:
            app.call_from_thread(app.fail, exc)
            return False
        if not worker.is_cancelled:
            pane = self.query_one("#recs-pane")
            # Text: the title names a track, anybody's text
            app.call_from_thread(setattr, pane, "border_title", Text(inert(title)))
        return True

    # ------------------------------------------------------------------ actions
    def _panes(self):
        return [self.query_one(p) for p in self.PANES]

    def action_focus_next_pane(self, step: int = 1) -> None:
        panes = self._panes()
        current = next((i for i, p in enumerate(panes) if self.focused is p), -1)
        if current == -1 and isinstance(self.focused, Input):
            current = 1
        panes[(current + step) % len(panes)].focus()

    def action_focus_previous_pane(self) -> None:
        self.action_focus_next_pane(-1)

    def action_sort(self, key: str) -> None:
        if self.sort_key == key:
            self.descending = not self.descending
        else:
            self.sort_key = key
            self.descending = key not in ASCENDING_FIRST
        self.spotui_app.remember(sort=self.sort_key, sort_descending=self.descending)
        self.refresh_tracks(top=True)  # the point of sorting is the top of the list

    def action_toggle_new_only(self) -> None:
        self.new_only = not self.new_only
        self.spotui_app.remember(new_only=self.new_only)
        self._rec_mode_changed(
            "Recommending only tracks not in your library." if self.new_only else None
        )

    def action_toggle_discover(self) -> None:
        self.discover = not self.discover
        self._rec_mode_changed(
            "Discovering: new tracks from ReccoBeats, ranked by spotui." if self.discover else None
        )

    def _rec_mode_changed(self, message: str | None) -> None:
        """A recommendation toggle changed: say so (None: back to the default) and redo."""
        self.notify(message or "Recommending from your library and the catalog.", timeout=3)
        self._rec_key = None
        self._update_titles()
        self.refresh_recs()

    def apply_pane_sizes(self) -> None:
        """The remembered pane sizes (None: the stylesheet's, which adapts to the width)."""
        ui = self.spotui_app.ui
        if ui.clusters_width:
            self.query_one("#clusters-pane").styles.width = ui.clusters_width
        else:
            self.query_one(ClusterList).fit_width()
        if ui.bottom_height:
            self.query_one("#bottom").styles.height = f"{ui.bottom_height}%"

    def action_resize(self, pane: str, step: int) -> None:
        """Widen/narrow the clusters pane (columns) or grow/shrink the lower panes (%)."""
        from spotui.config.user_file import BOTTOM_HEIGHT, CLUSTERS_WIDTH

        app = self.spotui_app
        if pane == "clusters":
            now = app.ui.clusters_width or self.query_one("#clusters-pane").outer_size.width
            low, high = CLUSTERS_WIDTH
            app.remember(clusters_width=min(max(now + step, low), high))
        else:
            rows = max(self.size.height, 1)
            now = app.ui.bottom_height or round(
                100 * self.query_one("#bottom").outer_size.height / rows
            )
            low, high = BOTTOM_HEIGHT
            app.remember(bottom_height=min(max(now + step, low), high))
        self.apply_pane_sizes()

    def action_devices(self) -> None:
        self.post_message(messages.DeviceChoiceRequested())

    def action_refresh_playback(self) -> None:
        self.post_message(messages.PlaybackRefreshRequested())

    def action_resegment(self) -> None:
        from spotui.tui.screens.resegment import ResegmentDialog

        app = self.spotui_app

        def chosen(choice) -> None:
            if choice is not None:
                app.start_segment(choice)

        app.push_screen(ResegmentDialog(app.result), chosen)

    def action_mood_map(self) -> None:
        if self.spotui_app.result is None:
            self.notify("The mood map appears once the clusters are ready.", severity="warning")
            return
        from spotui.tui.screens.map import MapScreen

        def closed(selection: list[str] | None) -> None:
            if selection:
                self.show_selection(selection)

        self.app.push_screen(MapScreen(self.track_id), closed)

    def action_for_you(self) -> None:
        """Show "More <mood> for you": the highlighted cluster if the user's top and recent
        tracks are in it, else the most listened-to one; pressed again, the next one."""
        self.for_you_worker(self._rec_key[0] if self._rec_key else None)

    @work(thread=True, exclusive=True, group="for-you", exit_on_error=False)
    def for_you_worker(self, shown: Seeds | None) -> None:
        try:
            ids = [c.id for c, _ in self.spotui_app.session.recommendations.for_you_clusters()]
        except UserError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=8)
            return
        current = self.source.cluster_id
        if shown is not None and shown.kind == "for_you" and shown.cluster_id in ids:
            cid = ids[(ids.index(shown.cluster_id) + 1) % len(ids)]
        else:
            cid = current if current in ids else ids[0]
        self.app.call_from_thread(self.show_recs, Seeds.for_you(cid))

    def show_recs(self, seeds: Seeds) -> None:
        """Recommend for ``seeds`` now (until the cursor moves)."""
        self._rec_key = (seeds, self.new_only, self.discover)
        recs = self.query_one(RecommendationList)
        if self.discover:
            recs.message("Asking ReccoBeats for new tracks…")
        self.compute_recs(seeds, self.new_only, self.discover)

    def show_selection(self, track_ids: list[str]) -> None:
        """Make a map selection the current source ("like a cluster")."""
        self.selection = list(track_ids)
        self.source = SELECTION
        self.refresh_data()
        self.query_one(ClusterList).focus()

    # ------------------------------------------------------------------ on what is shown
    def current_target(self, whole_library: bool = False):
        """What export and queue-all act on: the cluster or map selection shown, narrowed
        by the filter when one is typed; None for the whole library (unless
        ``whole_library``: a file may hold it, a playlist or the queue should not). With
        ``whole_library`` (the file export) the tracks are in the table's order: the
        file follows the sort on screen."""
        app = self.spotui_app
        session, cid = app.session, self.source.cluster_id
        base = None
        if cid is not None and app.result is not None:
            base = session.exports.cluster_target(cid)
        elif self.source.kind == "selection" and self.selection:
            base = session.exports.selection_target(self.selection)
        whole = base is None and self.source.playlist_id is None
        if whole and not self.query_text and not whole_library:
            return None
        ids = self.query_one(TrackTable).track_ids
        if not ids:
            return None
        return session.exports.filtered_target(
            base, self.source_name(), ids, self.query_text, as_shown=whole_library
        )

    def action_export(self) -> None:
        pid = self.source.playlist_id
        if pid is not None and not self.query_text:
            self.post_message(messages.ExtendRequested(pid, self.new_only))
            return
        target = self.current_target()
        if target is None:
            self.notify(
                "Highlight a mood cluster, make a selection on the mood map (m) or filter (/) "
                "to export it as a playlist, or one of your playlists to add to it.",
                severity="warning",
                timeout=5,
            )
            return
        self.post_message(messages.ExportRequested(target))

    def action_order(self) -> None:
        """``o``: the tracks shown in an order that flows, on a preview screen. A mood or a
        playlist shown whole is ordered as itself (its title, a playlist's notes, and the
        playlist can be reordered in place); anything else as the tracks listed."""
        from spotui.session.order import OrderSource
        from spotui.tui.screens.order import OrderScreen

        target = self.current_target()
        if target is None:
            self.notify(ORDER_WHAT, severity="warning", timeout=5)
            return
        n = len(set(target.track_ids))
        if n < 2 or n > ORDER_MAX:
            self.notify(ORDER_SIZE.format(n=f"{n:,}"), severity="warning", timeout=6)
            return
        cid, pid = self.source.cluster_id, self.source.playlist_id
        whole = not self.query_text
        if whole and cid is not None:
            source = OrderSource.cluster(cid)
        elif whole and pid is not None:
            source = OrderSource.playlist(pid)
        else:
            source = OrderSource.tracks(target.track_ids)
        owned = whole and pid is not None and pid in self.spotui_app.playlist_items
        name = self.source_name() + (f" matching “{self.query_text}”" if self.query_text else "")
        self.app.push_screen(OrderScreen(source, target, name, pid if owned else None))

    def action_export_file(self) -> None:
        target = self.current_target(whole_library=True)
        if target is None:
            self.notify("No tracks shown to export.", severity="warning", timeout=4)
            return
        from spotui.tui.screens.export_file import FileExportDialog

        self.app.push_screen(FileExportDialog(target))

    def action_undo_skip(self) -> None:
        """``u``: the recommendations pane takes its last skip back (from any pane)."""
        self.query_one(RecommendationList).undo_skip()

    def action_import_csv(self) -> None:
        self.post_message(messages.ImportRequested())

    def action_quit(self) -> None:
        self.app.exit()

    def action_queue_track(self) -> None:
        self.post_message(messages.QueueRequested([self.track_id] if self.track_id else []))

    def action_queue_view(self) -> None:
        target = self.current_target()
        if target is None:
            self.notify(
                "Highlight a cluster, a map selection or filter first; queueing the "
                "whole library is not what you want.",
                severity="warning",
                timeout=5,
            )
            return
        what = self.source_name() + (f" matching “{self.query_text}”" if self.query_text else "")
        self.post_message(messages.QueueRequested(list(target.track_ids), what=what))

    async def action_filter(self) -> None:
        found = self.query("#filter")
        if found:
            box = found.first(Input)
        else:  # not composed up front: one widget less to build before the first paint
            box = Input(placeholder="filter by title or artist", id="filter")
            await self.query_one("#tracks-pane").mount(box, before=self.query_one(TrackTable))
        box.display = True
        box.focus()

    def action_radio(self) -> None:
        """``O``: a radio on what the recommendations pane would recommend for (the
        focused mood, selection or playlist, else the highlighted track; with the pane
        focused, what it shows: "for you" included)."""
        seeds = self.rec_target()
        if self.focused is self.query_one(RecommendationList) and self._rec_key:
            seeds = self._rec_key[0]
        self.post_message(messages.RadioRequested(seeds, self.discover))

    def action_radio_skip(self) -> None:
        self.post_message(messages.RadioSkipRequested())

    def action_clear_filter(self) -> None:
        found = self.query("#filter")
        box = found.first(Input) if found else None
        if box is None or (not box.display and not self.query_text):
            self.post_message(messages.RadioStopRequested())  # esc with no filter: the radio
            return
        box.value = ""
        box.display = False
        self.apply_filter("")
        self.query_one(TrackTable).focus()


def _rec_problem(error: UserError, demo: bool) -> str:
    """What the pane says instead of recommendations: for a seed without features, the fix
    (no raw error, no track id); else the core's message."""
    return no_features_hint(demo) if isinstance(error, NoFeaturesError) else str(error)
