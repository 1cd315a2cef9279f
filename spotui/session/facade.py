"""Session: the one object both faces call.

Why a facade: the CLI and the TUI used to open the store, build the Spotify client,
decide which clusters the user sees and what the seeds are, each a little differently
(``spotui recommend --cluster`` re-segmented with the default k and method and overwrote
a stored ``segment --k 8 --method gmm`` result that ``spotui export`` kept). Every such
rule now lives here or below, once; the faces only collect input and show results.

Threads: the store is one SQLite connection per thread. The thread that made the
session uses the session's own store; any other thread (a TUI worker) gets a store of
its own for the length of the call, so every method may be called from a worker.
Nothing here prints, imports Textual or reads the terminal; long calls take
``progress(done, total, message)`` and a ``cancel()`` check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spotui.config.env import Config
from spotui.core.progress import CancelCheck, Progress, no_progress
from spotui.core.records import Cluster, Track
from spotui.session.account import SpotifyAccount
from spotui.session.changes import ChangesMixin
from spotui.session.export import ExportMixin
from spotui.session.listening import DiscoverMixin
from spotui.session.reccobeats import ReccoBeatsMixin
from spotui.session.records import LibrarySnapshot, TrackDetail
from spotui.session.seeds import (
    CLUSTER,
    FOR_YOU,
    PLAYLIST,
    SELECTION,
    RecommendationDetail,
    Recommendations,
    Seeds,
    resolve,
)
from spotui.session.user import UserMixin
from spotui.store import OpenNotice, Store, ThreadStores

if TYPE_CHECKING:
    from spotui.analysis.moods.result import SegmentResult
    from spotui.sources.csv_import import ImportResult

#: Seeds whose recommendations blend in the user's playlists by default: the two cases
#: benchmarks/hybrid.py measures (continuing a playlist; a few seeds, like "for you").
#: Not a track, selection or cluster: for one track it returns the playlist-mates the user
#: grouped with it already, and a cluster is a mood, which is about the sound.
TASTE_SEEDS = (PLAYLIST, FOR_YOU)


class Session(SpotifyAccount, DiscoverMixin, ReccoBeatsMixin, UserMixin, ExportMixin, ChangesMixin):
    """One user's spotui: configuration, store, clusters, recommendations, Spotify (login,
    sync and feature lookups come from :class:`~spotui.session.account.SpotifyAccount`; for
    you, playlists and taste from :class:`~spotui.session.listening.DiscoverMixin`; settings,
    setup and playback from :class:`~spotui.session.user.UserMixin`; noticing another
    program's changes from :class:`~spotui.session.changes.ChangesMixin`)."""

    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        on_notice: Callable[[OpenNotice], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        #: Told, from whichever thread waits, when a job waits for another program (may be
        #: set after the session is made: the TUI makes its app after the session).
        self.on_wait = on_wait
        self._stores = ThreadStores(
            store.path if store else config.db_path,
            store,
            on_notice,
            timeout=config.db_timeout,
            on_wait=self._tell_waiting,
        )
        #: The segmentation the user sees (set by the cluster calls below).
        self.result: SegmentResult | None = None
        self._recommender = None
        self._rec_lock = threading.Lock()
        self._texture: tuple[str, dict] | None = None  # (result fingerprint, PCA coords)
        self._taste: tuple[tuple, Any] | None = None  # (pool signature, Cooccurrence)
        #: Track ids of the last queue action (the TUI's playback line shows them).
        self.last_queued: list[str] = []
        self._init_changes()

    def _tell_waiting(self, message: str) -> None:
        if self.on_wait is not None:
            self.on_wait(message)

    # ------------------------------------------------------------------ the store
    @property
    def demo(self) -> bool:
        return self.config.demo

    @property
    def notice(self) -> OpenNotice | None:
        """What the user should hear about opening the store (a broken file moved aside)."""
        return self._stores.main.notice if self._stores.main is not None else None

    def open(self, prepare: bool = True, check: bool | None = None) -> Session:
        """Open (create, migrate) the store now; ``prepare`` also builds the demo library.

        The TUI opens before its workers start, so a new database is migrated exactly
        once, and prepares in a worker, so generating the demo never delays the first paint.
        It passes ``check=False``: :meth:`library_snapshot` checks the file in that worker
        (when cheap), off the paint path (~3 ms per MB).
        """
        self._stores.open(check)
        if prepare:
            self.prepare()
        return self

    def prepare(self) -> bool:
        """Generate the demo library on first use (``--demo``); True if it was made now.

        Cheap and numpy-free once it exists, so it may run before the first paint."""
        if not self.demo:
            return False
        from spotui.sources.demo import ensure_demo

        with self._db() as store:
            return ensure_demo(store)

    def _db(self) -> AbstractContextManager[Store]:
        """The calling thread's store (the session's own, or a worker's for this call);
        the session's own opens on first use, with the demo library prepared."""
        if self._stores.main is None and self._stores.on_owner_thread():
            self.open()
        return self._stores.use()

    def close(self) -> None:
        self._stores.close()

    @contextmanager
    def _job(
        self,
        job: str,
        *,
        wait: bool,
        what: str = "",
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
    ) -> Iterator[None]:
        """Hold this database's lock for ``job`` (one writer per job, across processes and
        windows): :class:`~spotui.core.errors.JobRunningError` naming the holder's pid, or with
        ``wait`` say so (``on_wait`` and ``progress``) and wait for it.

        When the job has written anything (finished, failed or cancelled: what it committed
        stays), the store's change counter is bumped as this session's own, so other
        windows and processes notice (:mod:`spotui.session.changes`) and this one does
        not. The job's store is opened here and shared by the calls inside (one per
        thread), so it tells whether the job wrote: a segment that reused the stored moods
        bumps nothing and makes no other window reload, and a job that failed counts only
        what it committed (an import rolled back leaves the file exactly as it was)."""
        from spotui.store.lock import job_lock

        def tell(message: str) -> None:
            if progress is not None:
                progress(0, 0, message)
            if self.on_wait is not None:
                self.on_wait(message)

        with (
            job_lock(
                self._stores.path,
                job,
                what=what or f"spotui {job}",
                wait=wait,
                on_wait=tell,
                cancel=cancel,
            ),
            self._db() as store,
        ):
            changes, commits = store.conn.total_changes, store.commits
            try:
                yield
            except BaseException:
                if store.commits != commits:  # a sync cancelled or failing keeps what it did
                    self._record_change(store, job)
                raise
            if store.commits != commits or store.conn.total_changes != changes:
                self._record_change(store, job)

    # ------------------------------------------------------------------ reading
    def has_library(self) -> bool:
        with self._db() as store:
            return store.has_library()

    def status(self) -> dict[str, Any]:
        """Counts of what is stored, the database and its schema version."""
        with self._db() as store:
            return {
                **store.counts(),
                "database": str(store.path),
                "schema_version": store.schema_version,
                "demo": self.demo,
            }

    def library_snapshot(self, columns: Sequence[str]) -> LibrarySnapshot:
        """What the TUI paints first: the library's track table (``columns`` as features),
        the stored segmentation (possibly stale) and the user's playlists, from one
        connection. No numpy, no scikit-learn: it runs while Textual is being imported."""
        from spotui.session.mood_store import load_result
        from spotui.store.connection import QUICK_CHECK_MAX_BYTES

        with self._db() as store:
            store.verify(QUICK_CHECK_MAX_BYTES)
            self.prepare()
            # Read first: a change committed during the reads below makes the view look
            # older than it is (one reload too many), never newer.
            generation = store.library_change().generation
            table = store.library_table(columns)
            self.result = load_result(store)
            playlists = store.playlists(owned_only=True)
            items = store.owned_playlist_items()
        self.view = generation
        return LibrarySnapshot(table, self.result, playlists, items)

    def tracks(self, track_ids: Sequence[str]) -> list[Track]:
        with self._db() as store:
            return store.get_tracks(track_ids)

    def track_detail(self, track_id: str) -> TrackDetail:
        """A track, its features, its cluster and why it sits there (numpy-free)."""
        from spotui.analysis.moods.membership import Why, explain_membership, feature_coverage

        with self._db() as store:
            track, features = store.get_track(track_id), store.get_features(track_id)
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
        words = (*why.words, coverage) if coverage else why.words
        return TrackDetail(track, features, cluster, "", words, why.numbers)

    # ------------------------------------------------------------------ clusters
    def cluster_of(self, track_id: str) -> Cluster | None:
        result = self.result
        cid = result.assignments.get(track_id) if result is not None else None
        if cid is None:
            return None
        return next((c for c in result.clusters if c.id == cid), None)

    def clusters_current(self, result: SegmentResult | None) -> bool:
        """Whether ``result`` was made from the library as it is now (hashes the library)."""
        if result is None:
            return False
        from spotui.session.mood_store import is_current

        with self._db() as store:
            return is_current(store, result)

    def clusters(
        self, progress: Progress | None = None, cancel: CancelCheck | None = None
    ) -> SegmentResult:
        """The moods the user sees: the stored ones if they match the library, else the
        library placed in them (new tracks join the nearest mood; the moods are made again
        only when the refit rule says so, see :mod:`spotui.analysis.moods.model`)."""
        from spotui.session.mood_store import is_current, load_result, segment

        with self._db() as store:
            result = load_result(store)
            if result is None or not is_current(store, result):
                # Another window or process may be segmenting: wait for it, then use what
                # it stored if that is current.
                with self._job("segment", wait=True, progress=progress, cancel=cancel):
                    store.verify()
                    result = segment(store, rules=self.mood_rules, progress=progress, cancel=cancel)
        self.result = result
        return result

    @property
    def mood_rules(self):
        """When stored moods are made again (``[moods]`` in config.toml over the defaults)."""
        return self.mood_settings()[0]

    def mood_settings(self) -> tuple[Any, list[str]]:
        """The refit rules and what was wrong in ``[moods]`` (each problem names its key)."""
        from spotui.analysis.moods.refit_rule import RefitRules

        return RefitRules.from_config(self.config.extra.get("moods"))

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
            self._job("segment", wait=wait, progress=progress, cancel=cancel),
            self._db() as store,
        ):
            store.verify()
            result = segment(
                store,
                k=k,
                method=method,
                progress=progress,
                cancel=cancel,
                refit=refit or force,
                rules=self.mood_rules,
            )
        self.result = result
        return result

    def mood_news(self) -> set[str]:
        """Tracks that joined a mood since the user last looked at it."""
        with self._db() as store:
            return store.mood_news()

    def mark_seen(self, track_ids: Sequence[str]) -> None:
        """The user looked at these tracks in their mood: no longer new."""
        with self._db() as store:
            store.clear_mood_news(list(track_ids))

    def texture_coords(self) -> dict[str, tuple[float, float]]:
        """The mood map's texture (PCA) view of the clusters shown; computed once per result."""
        key = self.result.fingerprint if self.result is not None else ""
        cached = self._texture
        if cached is None or cached[0] != key:
            from spotui.session.mood_store import texture_coords

            with self._db() as store:
                cached = self._texture = (key, texture_coords(store))
        return cached[1]

    def _shown(self, progress: Progress | None = None, cancel: CancelCheck | None = None):
        return self.result if self.result is not None else self.clusters(progress, cancel)

    # ------------------------------------------------------------------ recommendations
    def recommender(self):
        """The recommendation pool, built once per data change (call from a worker)."""
        with self._rec_lock:
            if self._recommender is None:
                from spotui.session.recommend_store import recommender

                with self._db() as store:
                    self._recommender = recommender(store)
            return self._recommender

    def library_changed(self) -> None:
        """After a sync or import: the next recommendation rebuilds its pool."""
        with self._rec_lock:
            self._recommender = None

    def recommend(
        self,
        seeds: Seeds,
        n: int = 10,
        new_only: bool = False,
        *,
        discover: bool = False,
        diversity: float | None = None,
        artist_cap: int | None = None,
        progress: Progress | None = None,
        cancel: CancelCheck | None = None,
        taste: bool | None = None,
    ) -> Recommendations:
        """Tracks that sound like the seeds, none queued or skipped lately. ``discover``:
        rank what ReccoBeats proposes (else, saying why, library + catalog). ``diversity``/
        ``artist_cap`` None: the defaults; cap 0: no limit. ``progress``: segmenting and
        discovery. ``taste``: blend in what the user's own playlists and saved weeks keep
        with the seeds; None: for :data:`TASTE_SEEDS` only."""
        from spotui.session.discovery import recent_exclusions

        result = self._shown(progress) if seeds.kind in (CLUSTER, FOR_YOU) else None
        with self._db() as store:
            seed_ids, cluster, playlist = resolve(seeds, store, result)
            options: dict[str, Any] = {"exclude": recent_exclusions(store)}
        if diversity is not None:
            options["diversity"] = diversity
        if artist_cap is not None:
            options["artist_cap"] = artist_cap or None
        if seeds.kind in TASTE_SEEDS if taste is None else taste:
            options["taste"] = self.taste().scores(seed_ids)
        rec = self.recommender()
        first = None if cluster is not None else rec.track(rec.seed_rows(seed_ids)[0])
        found = self._discover(rec, seed_ids, cancel, progress) if discover else None
        if found is not None and not found.failed:
            self.library_changed()  # the candidates joined the catalog
            rec = self.recommender()
            options["only"] = set(found.candidate_ids)
        results = rec.recommend(seed_ids, n=n, new_only=new_only, **options)
        return Recommendations(
            seeds,
            seed_ids,
            results,
            first,
            cluster,
            playlist=playlist,
            discovery=found,
            nearest=results.nearest,
            taste_weight=results.taste_weight,
            new_only=new_only,
        )

    def cluster_label(self, cluster_id: int) -> str:
        """The label of a cluster shown ("c3" while the clusters are not known yet)."""
        clusters = self.result.clusters if self.result is not None else []
        return next((c.label for c in clusters if c.id == cluster_id), f"c{cluster_id}")

    def recommendation_detail(self, recs: Recommendations, index: int) -> RecommendationDetail:
        """Result ``index`` of ``recs`` and the seed's features (seeds.recommendation_detail)."""
        from spotui.session.seeds import recommendation_detail

        with self._db() as store:
            features = store.get_features(recs.results[index].track.id)
            by_centre = recs.seeds.kind == CLUSTER
            seeds = [] if by_centre else store.get_features_many(recs.seed_ids).values()
        return recommendation_detail(recs, index, features, [f.as_dict() for f in seeds])

    def pane_title(self, seeds: Seeds) -> str:
        """A short title for a recommendation list, known before it is computed."""
        if seeds.kind == SELECTION:
            return "Like the map selection"
        if seeds.kind in (PLAYLIST, FOR_YOU):
            return self.discover_title(seeds)
        if seeds.kind == CLUSTER:
            return f"Like cluster {self.cluster_label(seeds.cluster_id)}"
        track = self.tracks(seeds.ids[:1])
        return f"Like “{track[0].name}”" if track else "Recommendations"

    # ------------------------------------------------------------------ getting tracks in
    def import_csv(
        self,
        path: str | Path,
        kind: str = "library",
        progress: Progress = no_progress,
        *,
        wait: bool = False,
    ) -> ImportResult:
        """Import a CSV, all or nothing; one import at a time per database (``wait``)."""
        from spotui.sources.csv_import import import_csv

        with self._job("import", wait=wait, progress=progress), self._db() as store:
            store.verify()  # never write into a damaged file
            result = import_csv(store, path, kind=kind, progress=progress)
        self.library_changed()
        return result

    def client(self):
        """A Spotify client for this user; None in demo mode (actions go to the outbox)."""
        if self.demo:
            return None
        from spotui.spotify.client import SpotifyClient

        return SpotifyClient(self.config)

    @contextmanager
    def _spotify(self, needed: bool = True) -> Iterator[Any]:
        client = self.client() if needed else None
        try:
            yield client
        finally:
            if client is not None:
                client.close()

    def doctor(self) -> list:
        """Setup checks, each OK or what to fix (:class:`spotui.session.doctor.Check`)."""
        from spotui.session.doctor import run_checks

        with self._db() as store:
            return run_checks(self.config, store)
