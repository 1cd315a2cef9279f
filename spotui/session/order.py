"""Orders that flow (``session.order``): a mood, a playlist or some tracks ordered along an
energy arc with smooth transitions, a path from one track's sound to another's, an export
target in that order, and a playlist the user owns reordered in place.

Why a service of its own: the CLI, the exports and the TUI's preview must order the
same tracks the same way, from the same stored features, and word the same notes; the pure
work is :mod:`spotui.analysis.order`, the writing :mod:`spotui.export.reorder`.

Determinism: the tracks are handed to the solver sorted by id, so the same tracks give the
same order whatever order they were listed in, and the solver's bound is a count of rounds,
not a time (:mod:`spotui.analysis.order.solve`, "Bounds"), so they give it however busy the
machine is. That is what makes a reorder idempotent (a playlist already in its order is found
in order on the next run, and nothing is written) and an export match its preview.

Tracks without audio features are kept: the objective charges their unknown terms what a
typical transition costs (:mod:`spotui.analysis.order.objective`, "Missing features"), so
their neighbours place them; a note says how many there were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from spotui.core.errors import NotFoundError, UserError
from spotui.core.progress import Progress
from spotui.core.text import count

if TYPE_CHECKING:
    from spotui.analysis.order.objective import FlowOrder, FlowTracks
    from spotui.core.records import Features, Track
    from spotui.export.reorder import ReorderResult
    from spotui.export.targets import ExportTarget
    from spotui.session.context import SessionContext
    from spotui.session.library import LibraryService
    from spotui.session.moods import MoodsService
    from spotui.session.recommendations import RecommendationsService

CLUSTER, PLAYLIST, TRACKS = "cluster", "playlist", "tracks"
#: How many tracks a path has unless asked (the CLI's -n default).
PATH_LENGTH = 12
NO_FEATURES_NOTE = (
    "{n} without audio features: kept, and placed by their neighbours (their unknown "
    "terms cost what a typical transition does)."
)


@dataclass(frozen=True)
class OrderSource:
    """What to order: a mood cluster shown, a stored playlist, or tracks by id."""

    kind: str
    cluster_id: int | None = None
    ids: tuple[str, ...] = ()

    @classmethod
    def cluster(cls, cluster_id: int) -> OrderSource:
        return cls(CLUSTER, cluster_id=cluster_id)

    @classmethod
    def playlist(cls, playlist_id: str) -> OrderSource:
        return cls(PLAYLIST, ids=(playlist_id,))

    @classmethod
    def tracks(cls, ids: Sequence[str]) -> OrderSource:
        return cls(TRACKS, ids=tuple(ids))


@dataclass
class FlowStepView:
    """One row of an order as the faces show it: the step and the track's names."""

    position: int
    track: Track
    energy: float | None
    target: float | None
    tempo: float | None
    camelot: str | None
    key: str | None
    transition_cost: float | None
    bpm_step: float | None
    key_distance: int | None
    in_library: bool = True

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "track_id": self.track.id,
            "name": self.track.name,
            "artists": list(self.track.artists),
            "tempo": self.tempo,
            "camelot": self.camelot,
            "key": self.key,
            "energy": self.energy,
            "target": self.target,
            "transition_cost": self.transition_cost,
            "bpm_step": self.bpm_step,
            "key_distance": self.key_distance,
            "in_library": self.in_library,
        }


@dataclass
class FlowPreview:
    """An order (or a path) with what the faces print: names, key names, the curve, notes.

    The ``--json`` schema (``as_dict``), stable:

    * ``kind``: ``"order"`` or ``"path"``; ``title``: what was ordered, in words;
    * ``source``: ``{"kind": "cluster"|"playlist"|"tracks"|"path", "id": ..., "name": ...}``
      (a path: ``{"kind": "path", "from": A, "to": B, "catalog": bool}``);
    * ``arc``: the arc asked for (``null`` for a path); ``start``: the first track asked for;
    * ``track_count``; ``total_cost``, ``fit_error``, ``mean_transition`` (the objective's
      numbers; ``total_cost`` and ``fit_error`` are ``null`` for a path);
    * ``curve``: ``{"energy": str, "arc": str, "lo": float, "hi": float}``, the sparklines
      (one block per track, or per bucket past 60) on the tracks' energy range lo..hi;
    * ``steps``: one per track in order: ``position`` (1-based), ``track_id``, ``name``,
      ``artists``, ``tempo`` (BPM), ``camelot`` ("8B"), ``key`` ("C major"), ``energy``,
      ``target`` (the arc's energy there), ``transition_cost`` (into this track; null for the
      first), ``bpm_step`` (percent after folding), ``key_distance`` (wheel steps),
      ``in_library``; unknown values are ``null``;
    * ``notes``: sentences about what was left out or kept.
    """

    kind: str
    title: str
    source: dict[str, Any]
    flow: FlowOrder
    steps: list[FlowStepView]
    arc: str | None = None
    start: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def order(self) -> list[str]:
        return list(self.flow.order)

    def curve(self, width: int = 60) -> str:
        """The energy curve over the arc's (a path: over the straight line from A to B), on
        the tracks' own energy range: a calm mood's build would be a flat line on 0..1."""
        from spotui.analysis.order.sparkline import curve_preview

        lo, hi = self.scale()
        return curve_preview(self.flow.energy, self._targets(), width=width, lo=lo, hi=hi)

    def scale(self) -> tuple[float, float]:
        """The lowest and highest energy of the tracks (0..1 when none is known)."""
        known = [e for e in self.flow.energy if e is not None]
        return (min(known), max(known)) if known else (0.0, 1.0)

    def _targets(self) -> list[float | None]:
        if self.kind == "order":
            return self.flow.target
        e = self.flow.energy
        if len(e) < 2 or e[0] is None or e[-1] is None:
            return [None] * len(e)
        return [e[0] + (e[-1] - e[0]) * i / (len(e) - 1) for i in range(len(e))]

    def as_dict(self) -> dict:
        from spotui.analysis.order.sparkline import sparkline

        path = self.kind == "path"
        lo, hi = self.scale()
        return {
            "kind": self.kind,
            "title": self.title,
            "source": self.source,
            "arc": self.arc,
            "start": self.start,
            "track_count": len(self.steps),
            "total_cost": None if path else self.flow.total,
            "fit_error": None if path else self.flow.fit_error,
            "mean_transition": self.flow.mean_transition,
            "curve": {
                "energy": sparkline(self.flow.energy, lo=lo, hi=hi),
                "arc": sparkline(self._targets(), lo=lo, hi=hi),
                "lo": lo,
                "hi": hi,
            },
            "steps": [s.as_dict() for s in self.steps],
            "notes": list(self.notes),
        }


class OrderService:
    """Orders along an arc, paths, ordered export targets and in-place reorders."""

    def __init__(
        self,
        context: SessionContext,
        moods: MoodsService,
        library: LibraryService,
        recommendations: RecommendationsService,
    ) -> None:
        self._context = context
        self._moods = moods
        self._library = library
        self._recommendations = recommendations

    # ------------------------------------------------------------------ orders
    def flow(
        self,
        source: OrderSource,
        arc: str = "steady",
        start: str | None = None,
        *,
        progress: Progress | None = None,
    ) -> FlowOrder:
        """The order of ``source``'s tracks that follows ``arc`` (first ``start`` if given)."""
        ids, _, _ = self._resolve(source, progress)
        return self._order(ids, arc, start)[0]

    def preview(
        self,
        source: OrderSource,
        arc: str = "steady",
        start: str | None = None,
        *,
        progress: Progress | None = None,
    ) -> FlowPreview:
        """:meth:`flow` with what the faces show: names, keys, the curve, notes."""
        ids, title, described = self._resolve(source, progress)
        notes = described.pop("notes", [])
        flow, features = self._order(ids, arc, start)
        missing = sum(1 for t in ids if _featureless(features.get(t)))
        if missing:
            notes.append(NO_FEATURES_NOTE.format(n=count(missing, "track")))
        return FlowPreview(
            "order",
            title,
            described,
            flow,
            self._steps(flow, features),
            arc=arc,
            start=start,
            notes=notes,
        )

    def ordered(self, target: ExportTarget, arc: str, start: str | None = None) -> ExportTarget:
        """``target`` with its tracks in ``arc``'s order: same key, name and view, so an
        ordered export replaces the same playlist or writes the same file."""
        ids = list(dict.fromkeys(target.track_ids))
        if len(ids) < 2:
            return target
        return replace(target, track_ids=self._order(ids, arc, start)[0].order)

    def _resolve(
        self, source: OrderSource, progress: Progress | None
    ) -> tuple[list[str], str, dict[str, Any]]:
        """The tracks to order (each once), a title and the source as the JSON says it."""
        from spotui.session.seeds import playlist_id

        if source.kind == CLUSTER:
            from spotui.export.targets import cluster_tracks

            result = self._moods.shown(progress)
            cluster = result.cluster(source.cluster_id)  # NotFoundError for an unknown id
            ids = cluster_tracks(result, cluster.id)
            title = f"Cluster {cluster.id} “{cluster.label}”"
            return ids, title, {"kind": CLUSTER, "id": cluster.id, "name": cluster.label}
        if source.kind == PLAYLIST:
            pid = playlist_id(source.ids[0])
            playlist, ids = self._stored_playlist(pid)
            notes = []
            unique = list(dict.fromkeys(ids))
            if len(unique) != len(ids):
                twice = count(len(ids) - len(unique), "track")
                notes.append(
                    f"“{playlist.name}” holds {twice} more than once; each is ordered once."
                )
            described = {"kind": PLAYLIST, "id": pid, "name": playlist.name, "notes": notes}
            return unique, f"“{playlist.name}”", described
        ids = self._known(source.ids)
        return ids, count(len(ids), "track"), {"kind": TRACKS, "id": None, "name": None}

    def _stored_playlist(self, pid: str):
        with self._context.db() as store:
            playlist = store.library.get_playlist(pid)
            ids = store.library.playlist_track_ids(pid) if playlist is not None else []
            stored = [p for p, _ in store.library.playlists()] if playlist is None else []
        if playlist is None:
            known = "; ".join(f"{p.id} “{p.name}”" for p in stored[:8]) or "none synced yet"
            raise NotFoundError(f"There is no playlist {pid} (your playlists: {known}).")
        if not ids:
            why = (
                "Spotify shows spotui the tracks of your own playlists only"
                if not (playlist.owned or playlist.collaborative)
                else "run `spotui sync`"
            )
            raise UserError(f"“{playlist.name}” has no tracks spotui knows of ({why}).")
        return playlist, ids

    def _known(self, values: Sequence[str]) -> list[str]:
        """Track ids (URIs and links too) that the store holds, each once."""
        from spotui.spotify.ids import normalise_track_id

        ids = list(dict.fromkeys(normalise_track_id(v) for v in values))
        with self._context.db() as store:
            known = {t.id for t in store.tracks.get_tracks(ids, scope="all")}
        unknown = [t for t in ids if t not in known]
        if unknown:
            shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            raise NotFoundError(f"spotui does not know {count(len(unknown), 'track')}: {shown}.")
        return ids

    def _features(self, ids: Sequence[str]) -> dict[str, Features]:
        with self._context.db() as store:
            return store.tracks.get_features_many(list(ids))

    def _order(
        self, ids: Sequence[str], arc: str, start: str | None
    ) -> tuple[FlowOrder, dict[str, Features]]:
        from spotui.analysis.order.solve import order
        from spotui.spotify.ids import normalise_track_id

        features = self._features(ids)
        if start is not None:
            start = normalise_track_id(start)
            if start not in ids:
                raise UserError(f"The start track {start} is not among the tracks to order.")
        try:
            tracks = _flow_tracks(sorted(ids), features)
            return order(tracks, arc, start=start), features
        except ValueError as exc:  # an unknown arc; the faces offer only the known ones
            raise UserError(str(exc)) from None

    def _steps(
        self,
        flow: FlowOrder,
        features: dict[str, Features],
        in_library: dict[str, bool] | None = None,
    ) -> list[FlowStepView]:
        from spotui.analysis.order.camelot import key_name

        with self._context.db() as store:
            tracks = {t.id: t for t in store.tracks.get_tracks(list(flow.order), scope="all")}
        from spotui.core.records import Track

        rows = []
        for i, step in enumerate(flow.steps, 1):
            f = features.get(step.track_id)
            rows.append(
                FlowStepView(
                    i,
                    tracks.get(step.track_id) or Track(id=step.track_id, name=step.track_id),
                    step.energy,
                    step.target,
                    step.tempo,
                    step.camelot,
                    key_name(f.key, f.mode) if f is not None else None,
                    step.transition_cost,
                    step.bpm_step,
                    step.key_distance,
                    True if in_library is None else in_library.get(step.track_id, False),
                )
            )
        return rows

    # ------------------------------------------------------------------ paths
    def path(
        self, from_id: str, to_id: str, n: int = PATH_LENGTH, catalog: bool = True
    ) -> FlowPreview:
        """``n`` tracks walking from A's sound to B's in even steps (both included), from the
        library and (``catalog``) the imported catalog, on the recommender's scaled
        features; skipped tracks are left out of the middle."""
        import time

        import numpy as np

        from spotui.analysis.order.objective import Problem, describe
        from spotui.analysis.order.path import track_path
        from spotui.session.discovery import SKIPPED, SKIPPED_DAYS
        from spotui.spotify.ids import normalise_track_id

        a, b = normalise_track_id(from_id), normalise_track_id(to_id)
        rec = self._recommendations.recommender()
        rows = rec.seed_rows([a, b])  # typed errors for unknown or featureless ends
        size = len(rec) if catalog else rec.n_library
        for end, row in zip((a, b), rows, strict=True):
            if row >= size:
                raise UserError(
                    f"{end} is in the catalog, not your library; leave out --library-only."
                )
        with self._context.db() as store:
            skipped = store.discovery.recent_tracks({SKIPPED: time.time() - SKIPPED_DAYS * 86400})
        try:
            ids = track_path(
                rec.ids[:size], np.asarray(rec.scaled[:size]), a, b, n, exclude=sorted(skipped)
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        features = self._features(ids)
        flow = describe(Problem.build(_flow_tracks(ids, features)), range(len(ids)))
        in_library = {t: rec.in_library(rec.index[t]) for t in ids}
        steps = self._steps(flow, features, in_library)
        title = f"A path from “{steps[0].track.name}” to “{steps[-1].track.name}”"
        source = {"kind": "path", "from": a, "to": b, "catalog": catalog}
        return FlowPreview("path", title, source, flow, steps)

    # ------------------------------------------------------------------ in place
    def reorder(
        self,
        playlist: str,
        arc: str = "steady",
        start: str | None = None,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        view: int | None = None,
    ) -> ReorderResult:
        """Reorder a playlist the user owns along ``arc``, in place. ``dry_run`` returns the
        exact requests and sends and writes nothing; else ``view`` is checked first, Spotify's
        snapshot is compared with the one the last sync read (:mod:`spotui.export.reorder`),
        and the stored order afterwards counts as a change for other windows."""
        from spotui.export.reorder import reorder_playlist
        from spotui.session.seeds import owned_playlist

        context = self._context
        if not dry_run:
            context.watch.check_view(view, "reorder")
        with context.db() as store:
            owned, ids = owned_playlist(store, playlist)
        unique = list(dict.fromkeys(ids))
        target = self._better_order(unique, arc, start)
        with context.spotify(needed=not dry_run) as client, context.db() as store:
            result = reorder_playlist(
                client,
                store,
                context.config,
                owned,
                target,
                arc,
                dry_run=dry_run,
                progress=progress,
            )
            if not dry_run and not result.unchanged:
                context.watch.record_change(store, "reorder")
        if not dry_run and not result.unchanged:
            context.library_changed()
        return result

    def _better_order(self, current: list[str], arc: str, start: str | None) -> list[str]:
        """The solver's order, unless the playlist's own order already costs no more (then
        it is kept, so a playlist ordered once is never rewritten for a tie)."""
        if len(current) < 2 or len(set(current)) != len(current):
            return current  # the writer refuses repeats with its own message
        from spotui.analysis.order.objective import Problem

        flow, features = self._order(current, arc, start)
        if start is None or current[0] == flow.order[0]:
            tracks = _flow_tracks(sorted(current), features)
            index = {t: i for i, t in enumerate(tracks.ids)}
            now = Problem.build(tracks, arc).cost([index[t] for t in current])
            if now <= flow.total + 1e-9:
                return current
        return list(flow.order)


def _featureless(f: Features | None) -> bool:
    return f is None or all(
        getattr(f, k) is None for k in ("energy", "valence", "tempo", "key", "mode")
    )


def _flow_tracks(ids: Sequence[str], features: dict[str, Features]) -> FlowTracks:
    """The solver's arrays for ``ids`` in this order; unknown features as None."""
    from spotui.analysis.order.objective import FlowTracks

    def col(name: str) -> list:
        return [getattr(features.get(t), name, None) for t in ids]

    return FlowTracks.from_arrays(
        list(ids), col("energy"), col("valence"), col("tempo"), col("key"), col("mode")
    )
