"""The moods the user sees (``session.moods``): the stored segmentation when it matches the
library, the library placed in it otherwise, a remake when the user asks (or the refit
rule says so), which tracks are new to a mood, and why a track sits where it does.

Why the shown result lives here: the recommendations (a cluster's seeds), the exports (a
cluster's tracks) and the why pane must all speak of the same moods the screen shows, not
of a segmentation each read for itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from spotui.core.progress import CancelCheck, Progress
from spotui.session.records import TrackDetail

if TYPE_CHECKING:
    from spotui.analysis.moods.refit_rule import RefitRules
    from spotui.analysis.moods.result import SegmentResult
    from spotui.core.records import Cluster
    from spotui.session.context import SessionContext
    from spotui.store import Store


class MoodsService:
    """Segment, place, explain; holds :attr:`result`, the moods on screen."""

    def __init__(self, context: SessionContext) -> None:
        self._context = context
        #: The segmentation the user sees (set by the calls below and by the library read).
        self.result: SegmentResult | None = None
        self._texture: tuple[str, dict] | None = None  # (result fingerprint, PCA coords)
        context.watch.on_stale = self.reload

    def reload(self, store: Store) -> None:
        """Read the stored moods again (another program changed them)."""
        from spotui.session.mood_store import load_result

        self.result = load_result(store)

    def shown(
        self, progress: Progress | None = None, cancel: CancelCheck | None = None
    ) -> SegmentResult:
        """The moods on screen, made (or placed) now if none were read yet."""
        return self.result if self.result is not None else self.clusters(progress, cancel)

    def cluster_of(self, track_id: str) -> Cluster | None:
        result = self.result
        cid = result.assignments.get(track_id) if result is not None else None
        if cid is None:
            return None
        return next((c for c in result.clusters if c.id == cid), None)

    def label(self, cluster_id: int) -> str:
        """The label of a cluster shown ("c3" while the clusters are not known yet)."""
        clusters = self.result.clusters if self.result is not None else []
        return next((c.label for c in clusters if c.id == cluster_id), f"c{cluster_id}")

    def is_current(self, result: SegmentResult | None) -> bool:
        """Whether ``result`` was made from the library as it is now (hashes the library)."""
        if result is None:
            return False
        from spotui.session.mood_store import is_current

        with self._context.db() as store:
            return is_current(store, result)

    def clusters(
        self, progress: Progress | None = None, cancel: CancelCheck | None = None
    ) -> SegmentResult:
        """The moods the user sees: the stored ones if they match the library, else the
        library placed in them (new tracks join the nearest mood; the moods are made again
        only when the refit rule says so, see :mod:`spotui.analysis.moods.model`)."""
        from spotui.session.mood_store import is_current, load_result, segment

        with self._context.db() as store:
            result = load_result(store)
            if result is None or not is_current(store, result):
                # Another window or process may be segmenting: wait for it, then use what
                # it stored if that is current.
                with self._context.job("segment", wait=True, progress=progress, cancel=cancel):
                    store.verify()
                    result = segment(store, rules=self.rules, progress=progress, cancel=cancel)
        self.result = result
        return result

    @property
    def rules(self) -> RefitRules:
        """When stored moods are made again (``[moods]`` in config.toml over the defaults)."""
        return self.settings()[0]

    def settings(self) -> tuple[RefitRules, list[str]]:
        """The refit rules and what was wrong in ``[moods]`` (each problem names its key)."""
        from spotui.analysis.moods.refit_rule import RefitRules

        return RefitRules.from_config(self._context.config.extra.get("moods"))

    def segment(
        self,
        k: int | str | None = None,
        method: str | None = None,
        *,
        refit: bool = False,
        force: bool = False,
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
        wait: bool = False,
    ) -> SegmentResult:
        """The moods, as the user asked: ``k`` a number chooses it (and it stays chosen),
        ``"auto"`` goes back to choosing automatically, None keeps what the moods have;
        ``method`` None keeps it; ``refit`` (``force``) makes the moods again now.
        ``wait``: if another segment runs, wait for it (else :class:`JobRunningError`)."""
        from spotui.session.mood_store import segment

        with (
            self._context.job("segment", wait=wait, progress=progress, cancel=cancel),
            self._context.db() as store,
        ):
            store.verify()
            result = segment(
                store,
                k=k,
                method=method,
                progress=progress,
                cancel=cancel,
                refit=refit or force,
                rules=self.rules,
            )
        self.result = result
        return result

    def news(self) -> set[str]:
        """Tracks that joined a mood since the user last looked at it."""
        with self._context.db() as store:
            return store.moods.mood_news()

    def mark_seen(self, track_ids: Sequence[str]) -> None:
        """The user looked at these tracks in their mood: no longer new."""
        with self._context.db() as store:
            store.moods.clear_mood_news(list(track_ids))

    def texture_coords(self) -> dict[str, tuple[float, float]]:
        """The mood map's texture (PCA) view of the clusters shown; computed once per result."""
        key = self.result.fingerprint if self.result is not None else ""
        cached = self._texture
        if cached is None or cached[0] != key:
            from spotui.session.mood_store import texture_coords

            with self._context.db() as store:
                cached = self._texture = (key, texture_coords(store))
        return cached[1]

    def track_detail(self, track_id: str) -> TrackDetail:
        """A track, its features, its cluster and why it sits there (numpy-free)."""
        from spotui.analysis.moods.membership import Why, explain_membership, feature_coverage

        with self._context.db() as store:
            track, features = store.tracks.get_track(track_id), store.tracks.get_features(track_id)
        cluster = self.cluster_of(track_id)
        coverage = feature_coverage(features.as_dict(), features.provider) if features else ""
        if cluster is None:
            note = coverage
            if features is not None and "not in a mood" not in coverage:
                note = "Not in a mood yet. " + coverage
            return TrackDetail(track, features, None, note)
        why = Why()
        if features is not None:
            why = explain_membership({**features.as_dict(), "track_id": track_id}, self.result)
        words: Any = (*why.words, coverage) if coverage else why.words
        return TrackDetail(track, features, cluster, "", words, why.numbers)
