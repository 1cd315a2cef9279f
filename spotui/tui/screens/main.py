"""The main screen: clusters | tracks on top, detail | recommendations below.

The screen keeps only view state (which source, filter, sort, new-only); the library rows
and the segmentation result live on the app, which calls :meth:`MainScreen.refresh_data`
whenever they change. Recommendations are computed in a thread worker, so moving the
cursor never waits for them.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from spotui.core.errors import Cancelled, NoFeaturesError, UserError
from spotui.core.text import count
from spotui.core.untrusted import inert
from spotui.session.seeds import Seeds
from spotui.tui import messages
from spotui.tui.actions import bindings_for
from spotui.tui.rows import (
    ALL,
    SELECTION,
    SORT_KEYS,
    SORT_LABELS,
    UNANALYSED,
    source_cluster,
    source_playlist,
)
from spotui.tui.screens.main_actions import MainActions
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
_TEXT_SORTS = ("title", "artists")


class MainScreen(MainActions, Screen):
    BINDINGS = bindings_for("main")
    PANES = ("#clusters", "#tracks", "#detail-scroll", "#recs")

    def __init__(self) -> None:
        super().__init__()
        ui = self.app.ui  # remembered in config.toml
        self.source = ALL
        self.query_text = ""
        self.sort_key: str | None = ui.sort
        self.descending = ui.sort_descending
        self.new_only = ui.new_only
        self.discover = False  # not remembered: starting the app never asks ReccoBeats
        self.selection: list[str] | None = None
        self.track_id: str | None = None
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
                yield TrackTable(id="tracks", on_painted=self.app.library_shown.set)
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
        if self.app.rows is not None:  # read before the screen was made (app.open_main)
            self.refresh_data()

    def on_resize(self) -> None:
        self.query_one(ClusterList).fit_width()

    # ------------------------------------------------------------------ data in
    def load_failed(self, message: str) -> None:
        """The library could not be read (a damaged file...): say why where it would be."""
        self.query_one("#detail", FeatureBars).show(None, None, None, message)
        self.query_one("#recs", RecommendationList).message("Nothing to show.")

    def refresh_data(self) -> None:
        """The app's rows or segmentation result changed: redraw everything from them."""
        app = self.app
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
        rows, result = self.app.rows, self.app.result
        if self.source == ALL or rows is None:
            return None
        if self.source == SELECTION:
            return rows.rows_for(self.selection or [])
        pid = source_playlist(self.source)
        if pid is not None:
            return rows.rows_for(self.app.playlist_items.get(pid, []))
        if result is None:
            return []
        if self.source == UNANALYSED:
            return rows.rows_for(result.unanalysed)
        cid = source_cluster(self.source)
        return rows.rows_for(result.tracks_in(cid)) if cid is not None else []

    def refresh_tracks(self, keep: str | None = None, top: bool = False) -> None:
        """Show the current view; the cursor stays on its track unless ``top``."""
        rows = self.app.rows
        if rows is None:
            return
        view = rows.view(self.source_rows(), self.query_text, self.sort_key, self.descending)
        table = self.query_one(TrackTable)
        table.show(
            rows,
            view,
            self.app.color_of,
            self.sort_key,
            self.descending,
            keep=None if top else keep or self.track_id,
            is_new=self.app.is_new,
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
        result = self.app.result
        if self.source == ALL:
            return "All tracks"
        if self.source == UNANALYSED:
            return "Unanalysed"
        if self.source == SELECTION:
            return "Map selection"
        pid = source_playlist(self.source)
        if pid is not None:
            return next((p.name for p, _ in self.app.playlists if p.id == pid), pid)
        cid = source_cluster(self.source)
        if result is not None and cid is not None:
            for c in result.clusters:
                if c.id == cid:
                    return c.label
        return self.source

    def update_status(self) -> None:
        """The status line, short enough for the left half of 80 columns (the playback line
        has the right): "8 moods (kmeans) · sorted by Energy ▼ · <work>", then "…"."""
        parts = []
        result = self.app.result
        if result is not None:
            n = len(result.clusters)
            parts.append(f"{count(n, 'mood')} ({result.method})")
        if self.sort_key:
            # by name, not from the column header: at 80 columns the feature columns are
            # folded into one bar column and the sorted feature has no header of its own
            arrow = "▼" if self.descending else "▲"
            parts.append(f"sorted by {SORT_LABELS[self.sort_key]} {arrow}")
        work = self.app.background_status
        if work:
            parts.append(work)
        line = Text(inert(" · ".join(parts)), no_wrap=True, overflow="ellipsis")
        self.query_one("#status", Static).update(line)

    # ------------------------------------------------------------------ events
    def show_about(self) -> None:
        self.query_one(ClusterAbout).show(self.source, self.app.result, self.app.rows)

    def on_source_highlighted(self, event: messages.SourceHighlighted) -> None:
        if event.source == self.source and self.query_one(TrackTable).view_size:
            self.show_about()
            return
        left = source_cluster(self.source)
        if left is not None and self.app.result is not None and self.app.news:
            self.app.mark_seen(self.app.result.tracks_in(left))  # its "+" marks were seen
            self.query_one(ClusterList).show_news(self.app.news_by_mood())
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
        detail = self.query_one(FeatureBars)
        if self.track_id is None:
            detail.show(None, None, None, "No tracks here." if self.app.rows is not None else "")
            return
        d = self.app.session.moods.track_detail(self.track_id)
        detail.show(d.track, d.features, d.cluster, d.note, d.why, d.why_numbers)

    # ------------------------------------------------------------------ recommendations
    def rec_target(self) -> Seeds | None:
        """What the recommendations pane recommends for: the focused cluster or selection,
        else the highlighted track."""
        if self.focused is self.query_one(ClusterList):
            cid = source_cluster(self.source)
            if cid is not None and self.app.result is not None:
                return Seeds.cluster(cid)
            if self.source == SELECTION and self.selection:
                return Seeds.selection(self.selection)
            pid = source_playlist(self.source)
            if pid is not None and self.app.playlist_items.get(pid):
                return Seeds.playlist(pid)
            return None
        if self.track_id is None:
            return None
        return Seeds.track(self.track_id)

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

    @work(thread=True, exclusive=True, group="recs")
    def compute_recs(self, seeds: Seeds, new_only: bool, discover: bool = False) -> None:
        worker = get_current_worker()
        try:
            answer = self.app.session.recommendations.recommend(
                seeds,
                n=REC_COUNT,
                new_only=new_only,
                discover=discover,
                cancel=lambda: worker.is_cancelled,
            )
        except NoFeaturesError:
            if not worker.is_cancelled:
                self.app.call_from_thread(
                    self.query_one(RecommendationList).message,
                    no_features_hint(self.app.config.demo),
                )
            return
        except Cancelled:  # the cursor moved on while discovery was asking
            return
        except UserError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.query_one(RecommendationList).message, str(exc))
            return
        found = answer.discovery
        if found is not None and found.error and not worker.is_cancelled:
            self.app.call_from_thread(self.notify, found.note(), severity="warning", timeout=8)
        if not worker.is_cancelled:
            empty = nothing_found(discover, new_only)
            self.app.call_from_thread(self.query_one(RecommendationList).show, answer, empty)

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
            self.descending = key not in _TEXT_SORTS
        self.app.remember(sort=self.sort_key, sort_descending=self.descending)
        self.refresh_tracks(top=True)  # the point of sorting is the top of the list

    def action_toggle_new_only(self) -> None:
        self.new_only = not self.new_only
        self.app.remember(new_only=self.new_only)
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
        ui = self.app.ui
        if ui.clusters_width:
            self.query_one("#clusters-pane").styles.width = ui.clusters_width
        else:
            self.query_one(ClusterList).fit_width()
        if ui.bottom_height:
            self.query_one("#bottom").styles.height = f"{ui.bottom_height}%"

    def action_resize(self, pane: str, step: int) -> None:
        """Widen/narrow the clusters pane (columns) or grow/shrink the lower panes (%)."""
        from spotui.config.user_file import BOTTOM_HEIGHT, CLUSTERS_WIDTH

        if pane == "clusters":
            now = self.app.ui.clusters_width or self.query_one("#clusters-pane").outer_size.width
            low, high = CLUSTERS_WIDTH
            self.app.remember(clusters_width=min(max(now + step, low), high))
        else:
            rows = max(self.size.height, 1)
            now = self.app.ui.bottom_height or round(
                100 * self.query_one("#bottom").outer_size.height / rows
            )
            low, high = BOTTOM_HEIGHT
            self.app.remember(bottom_height=min(max(now + step, low), high))
        self.apply_pane_sizes()

    def action_devices(self) -> None:
        if not self.app.can_play():
            self.notify("Log in to Spotify first (spotui login).", severity="warning")
            return
        self.app.choose_device()

    def action_refresh_playback(self) -> None:
        if not self.app.can_play():
            self.notify("Log in to Spotify first (spotui login).", severity="warning")
            return
        self.query_one(PlaybackLine).update("asking Spotify…")
        self.app.refresh_playback()

    def action_resegment(self) -> None:
        from spotui.tui.screens.resegment import ResegmentDialog

        def chosen(choice) -> None:
            if choice is not None:
                self.app.start_segment(choice)

        self.app.push_screen(ResegmentDialog(self.app.result), chosen)

    def action_mood_map(self) -> None:
        if self.app.result is None:
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
            ids = [c.id for c, _ in self.app.session.recommendations.for_you_clusters()]
        except UserError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=8)
            return
        current = source_cluster(self.source)
        if shown is not None and shown.kind == "for_you" and shown.cluster_id in ids:
            cid = ids[(ids.index(shown.cluster_id) + 1) % len(ids)]
        else:
            cid = current if current in ids else ids[0]
        self.app.call_from_thread(self.show_recs, Seeds.for_you(cid))

    def show_recs(self, seeds: Seeds) -> None:
        """Recommend for ``seeds`` now (until the cursor moves)."""
        self._rec_key = (seeds, self.new_only, self.discover)
        recs = self.query_one(RecommendationList)
        pane = self.query_one("#recs-pane")
        pane.border_title = Text(
            inert(self.app.session.recommendations.pane_title(seeds))
        )  # names a track
        if self.discover:
            recs.message("Asking ReccoBeats for new tracks…")
        self.compute_recs(seeds, self.new_only, self.discover)

    def show_selection(self, track_ids: list[str]) -> None:
        """Make a map selection the current source ("like a cluster")."""
        self.selection = list(track_ids)
        self.source = SELECTION
        self.refresh_data()
        self.query_one(ClusterList).focus()
