"""Content-based recommendations: tracks that sound like the seeds, varied, with a reason.

Spotify's recommendations endpoint is closed to new apps, so this is spotui's own. Every
choice below was measured on a real 17,949-track Kaggle sample (benchmarks/rec_quality.py;
genre labels kept from the recommender; tuned on half the seeds, reported on the other):

* **Pool.** Candidates are the library plus any imported catalog (``spotui import --as
  catalog``), minus the seeds. Both are scaled with the *library's* statistics (the shared
  matrix of :mod:`spotui.analysis.matrix`: 0..1 units, median centre, floored spread), so a
  catalog track and a library track that sound alike land in the same place.
* **Relevance.** Euclidean distance to the seed (or the seeds' centroid) over that matrix,
  with :data:`RECOMMEND_WEIGHTS`. Distance, not cosine: cosine on median-centred vectors
  scored a track on the median 0 against its exact twin, and measured worse (held-out
  P@10 0.110 vs 0.112, weights tuned for each). One float32 product over ``[x, |x|^2]``
  ranks all (``2 q.x - |x|^2``); the shortlist is re-scored exactly in float64.
* **Sound.** ``2 ** -(d / d10) ** 2``: 1.0 for the same sound, 0.5 for a track as
  far away as a typical library track's 10th-nearest neighbour (``d10``, the median over a
  fixed-seed sample of the library), falling smoothly towards 0. Monotone in the distance,
  so it ranks exactly like it; the old cosine put 30% of shown scores at >= 0.99.
* **Score (the order).** Each result carries ``score``, the number the list is sorted by,
  and its parts: ``sound`` and ``taste``. Without a blend ``score`` is ``sound``. MMR and
  the artist cap only *choose* the results; the list is then sorted by ``score``, so the
  user never sees a higher score below a lower one (the legend says some were left out).
* **Nothing close.** :class:`Ranked` also tells the best sound of any eligible candidate
  (``nearest``): below :data:`~spotui.analysis.recommend.scoring.FAR_SOUND` the faces say that
  nothing sounds close (:attr:`spotui.session.seeds.Recommendations.far_note`).
* **Metadata blend (optional, off by default).** ``(1 - gb - ab) * score + gb * g + ab *
  a`` (``gb``/``ab``: ``genre_boost``/``artist_boost``): ``g`` is the largest share of seeds
  having one of the candidate's genres, ``a`` the same for artists. It only reorders the
  audio shortlist. Off by default: its only measured gain was on genre labels, which is
  the blend reading the answer key.
* **Playlists as taste (on by default).** ``(1 - w) * score + w * taste``, ``taste`` the
  share of the seeds the user keeps a track with in their playlists and saved weeks
  (:mod:`spotui.analysis.recommend.taste`; w = 0.9, measured in benchmarks/hybrid.py). Such tracks
  join the shortlist however they sound; their ``score`` is the blend, ``sound`` and
  ``taste`` its parts.
* **Diversity.** Maximal marginal relevance over the shortlist, in distances
  (:func:`~spotui.analysis.recommend.scoring.mmr_pick`); ``diversity=0`` is plain top-k. At most
  ``artist_cap`` results per artist; versions of a seed or of an earlier pick (same ISRC,
  or same artists and title up to " - Remastered", " (feat. ...)", ...:
  :mod:`spotui.analysis.recommend.same_song`) are skipped, so each song appears at most once.
* **Reasons.** :mod:`spotui.analysis.recommend.reasons`: "high"/"low" only on Spotify's absolute
  scale for both tracks, otherwise numbers ("energy 0.82 vs 0.85; tempo 124 vs 126 BPM").

Numpy only (no scikit-learn): it runs on the TUI's path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress

import numpy as np

from spotui.analysis.matrix import (
    MOOD_FEATURES,
    FeatureMatrix,
    matrix_from_array,
    read_feature_rows,
)
from spotui.analysis.recommend.reasons import explain
from spotui.analysis.recommend.same_song import VersionFilter
from spotui.analysis.recommend.scoring import (
    mask_candidates,
    metadata_match,
    mmr_pick,
    neighbour_distance,
    seed_shares,
    shared_genres,
    top_m,
)
from spotui.analysis.recommend.taste import DEFAULT_TASTE_WEIGHT, blend, kept_with, taste_rows
from spotui.core.errors import NoFeaturesError, NotFoundError
from spotui.core.records import Features, Track
from spotui.spotify.ids import normalise_track_id

#: Default MMR trade-off: 0 = pure relevance, 1 = maximal spread among results.
DEFAULT_DIVERSITY = 0.3
#: Default maximum number of results by one artist.
DEFAULT_ARTIST_CAP = 2
#: Column weights on the shared matrix's standardised columns, for "sounds like". Tuned by
#: coordinate search on half the seeds of the real sample (euclidean, plain top-10, genre
#: precision@10; benchmarks/rec_quality.py). Liveness mostly measures audience noise and
#: recording room, not style: 0.25 was the largest single gain (P@10 0.107 -> 0.111).
#: Tempo separates styles (house 124, drum and bass 174) better than its mood weight says.
#: Equal weights: 0.106 on the held-out half; these: 0.112; z-score cosine baseline: 0.107.
RECOMMEND_WEIGHTS: dict[str, float] = {
    "danceability": 1.0,
    "energy": 1.0,
    "valence": 1.0,
    "acousticness": 1.0,
    "instrumentalness": 0.7,
    "speechiness": 0.85,
    "liveness": 0.25,
    "tempo": 1.5,
    "loudness": 1.0,
}
#: Default metadata blend: off (see the module docstring and benchmarks/rec_quality.py).
DEFAULT_GENRE_BOOST = 0.0
DEFAULT_ARTIST_BOOST = 0.0

_SCORE_BLOCK = 32_768


@dataclass(frozen=True, slots=True)
class _Query:
    """What one ``recommend`` call knows about its seeds."""

    query: np.ndarray  # the seeds' centroid in the scaled space, float64
    versions: VersionFilter  # the seeds' songs
    shares: tuple[dict[str, float], dict[str, float]]  # genre and artist shares of the seeds
    taste: dict[int, float]  # row -> co-occurrence with the seeds (analysis/taste.py)
    taste_weight: float


@dataclass(frozen=True, slots=True)
class RecommendationResult:
    """One recommended track. ``score`` is the number its list is sorted by; ``sound`` 0..1
    how it sounds like the seeds (1 = the same sound, 0.5 = as close as a typical library
    track's 10th-nearest neighbour; see the module docstring), ``taste`` 0..1 the share of
    the seeds the user keeps it with in their playlists and saved weeks
    (:mod:`spotui.analysis.recommend.taste`). ``blended``: ``score`` mixes more than the sound (the
    taste, or the optional genre/artist boost), so both faces name it "match" and show its
    parts; otherwise ``score == sound`` and it is shown once, as "sound"."""

    track: Track
    score: float
    sound: float
    reason: str
    in_library: bool
    taste: float = 0.0
    blended: bool = False

    @property
    def score_line(self) -> str:
        """The score as both faces show it, each number named: "sound 0.86", or for a
        blended list "match 0.12 (taste 0.04 · sound 0.86)"."""
        if not self.blended:
            return f"sound {self.sound:.2f}"
        return f"match {self.score:.2f} (taste {self.taste:.2f} · sound {self.sound:.2f})"

    def as_dict(self) -> dict:
        return {
            "track_id": self.track.id,
            "name": self.track.name,
            "artists": list(self.track.artists),
            "score": round(self.score, 4),
            "sound": round(self.sound, 4),
            "taste": round(self.taste, 4),
            "reason": self.reason,
            "in_library": self.in_library,
        }


class Ranked(list):
    """The results of one query, best ``score`` first, and what the faces need to read them.

    A list (every caller that iterates or indexes results keeps working) with two facts
    only the query knows: ``nearest``, the best ``sound`` of any candidate that could have
    been returned (versions of the seeds left out; None when there was none), so "nothing
    sounds close" is decided on the pool and not on what diversity happened to pick; and
    ``taste_weight``, the blend weight used (0.0: the score is the sound, or a metadata
    blend)."""

    nearest: float | None = None
    taste_weight: float = 0.0


def scale_rows(
    ids: Sequence[str],
    full: np.ndarray,
    reference: FeatureMatrix | None = None,
    weights: dict[str, float] | None = None,
) -> FeatureMatrix:
    """The shared feature matrix for an ``(n, 9)`` array (NaN = missing), pool-style."""
    return matrix_from_array(ids, full, weights=weights, reference=reference)


class Recommender:
    """A candidate pool (library + catalog) ready to answer ``recommend`` in milliseconds.

    Immutable after construction, so one instance can be built in a worker thread and then
    shared; build a new one (:func:`spotui.session.recommend_store.recommender` does, when
    the pool changed) to see new data.
    """

    def __init__(
        self,
        ids: list[str],
        lib: FeatureMatrix,
        cat: FeatureMatrix,
        meta: Mapping[str, Track | object],
        unanalysed: set[str],
        genre_boost: float = DEFAULT_GENRE_BOOST,
        artist_boost: float = DEFAULT_ARTIST_BOOST,
        to_track: Callable[[str, object], Track] | None = None,
    ):
        self.ids = ids
        self.n_library = len(lib)
        self.scaled = np.ascontiguousarray(np.vstack([lib.scaled, cat.scaled]), dtype=np.float32)
        #: Features x tracks, plus a last row of squared norms: ``[2q, -1] @ aug_t`` is
        #: ``|q|^2 - |q - x|^2`` for every track in one product. Column-major because BLAS
        #: streams 10 long contiguous rows ~2x faster than 1M short rows of 10.
        sq = np.einsum("ij,ij->i", self.scaled, self.scaled)
        self.aug_t = np.ascontiguousarray(np.vstack([self.scaled.T, sq[None, :]]))
        self.raw = np.vstack([lib.raw, cat.raw]).astype(np.float32)
        self.imputed = np.vstack([lib.imputed, cat.imputed])
        w = lib.weights.astype(np.float32)
        self.z = (self.scaled / np.where(w > 0, w, 1.0)).astype(np.float32)
        #: The mood weights the pool was scaled with (a query's reasons undo them).
        self.weights = lib.weights
        self.index = dict(zip(ids, range(len(ids)), strict=True))
        self._meta = meta
        #: Decodes a metadata entry that is not yet a Track (the store's compact rows), so
        #: 100k pool tracks are not all built when a query looks at a few dozen.
        self._to_track = to_track
        self._tracks: dict[int, Track] = {}
        self.unanalysed = unanalysed
        self.genre_boost = genre_boost
        self.artist_boost = artist_boost
        #: Distance at which the shown score is 0.5 (see :func:`neighbour_distance`).
        self.d_ref = neighbour_distance(lib.scaled if len(lib) > 1 else self.scaled)

    def similarity(self, distance: np.ndarray) -> np.ndarray:
        """The shown score for a distance: ``2 ** -(d / d_ref) ** 2`` (1 = same sound)."""
        x = np.asarray(distance, dtype=np.float64) / self.d_ref
        return np.exp2(-(x * x))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_tracks(
        cls,
        tracks: Sequence[Track],
        features: Sequence[Features],
        catalog: Sequence[Track] = (),
        catalog_features: Sequence[Features] = (),
        **kwargs,
    ) -> Recommender:
        """A pool from in-memory records (tests, benchmarks, a CSV read without a store)."""
        meta: dict[str, Track | tuple] = {t.id: t for t in catalog}
        meta.update({t.id: t for t in tracks})
        rows = [
            (f.track_id, *(_nan(getattr(f, c)) for c in MOOD_FEATURES))
            for f in [*features, *catalog_features]
        ]
        return cls.from_rows(rows, meta, [t.id for t in tracks], [t.id for t in catalog], **kwargs)

    @classmethod
    def from_rows(
        cls,
        feature_rows: Iterable[tuple],
        meta: Mapping[str, Track | object],
        library_ids: Sequence[str],
        catalog_ids: Sequence[str],
        weights: dict[str, float] | None = None,
        **kwargs,
    ) -> Recommender:
        """A pool from ``(track_id, *MOOD_FEATURES)`` rows (None or NaN = missing) and each
        track's metadata: a :class:`Track`, or anything ``to_track`` (a keyword passed on to
        the constructor) turns into one when a query first looks at it."""
        weights = weights or RECOMMEND_WEIGHTS
        in_lib = set(library_ids)
        in_cat = set(catalog_ids) - in_lib
        ids, full = read_feature_rows(feature_rows)
        lib_mask = np.fromiter(map(in_lib.__contains__, ids), dtype=bool, count=len(ids))
        cat_mask = np.fromiter(map(in_cat.__contains__, ids), dtype=bool, count=len(ids))
        lib_rows = np.flatnonzero(lib_mask)
        cat_rows = np.flatnonzero(cat_mask)
        lib = scale_rows(list(compress(ids, lib_mask.tolist())), full[lib_rows], weights=weights)
        cat = scale_rows(
            list(compress(ids, cat_mask.tolist())), full[cat_rows], reference=lib, weights=weights
        )
        unanalysed = (in_lib | in_cat).difference(ids)
        unanalysed.update(lib.unanalysed, cat.unanalysed)
        return cls(
            lib.track_ids + cat.track_ids,
            lib,
            cat,
            meta,
            unanalysed,
            **kwargs,
        )

    def __len__(self) -> int:
        return len(self.ids)

    # ------------------------------------------------------------------ lookups
    def track(self, row: int) -> Track:
        t = self._tracks.get(row)
        if t is None:
            m = self._meta.get(self.ids[row])
            if m is None:
                t = Track(id=self.ids[row], name=self.ids[row])
            elif isinstance(m, Track):
                t = m
            else:
                t = self._to_track(self.ids[row], m)
            self._tracks[row] = t
        return t

    def in_library(self, row: int) -> bool:
        return row < self.n_library

    def seed_rows(self, seed_ids: Sequence[str]) -> list[int]:
        """Rows of the seeds that have features; typed errors for unknown or featureless ones."""
        seed_ids = [normalise_track_id(s) for s in seed_ids]
        if not seed_ids:
            raise NotFoundError("no seed tracks given.")
        unknown = [s for s in seed_ids if s not in self.index and s not in self.unanalysed]
        if unknown:
            shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            raise NotFoundError(
                f"unknown track id{'s' if len(unknown) > 1 else ''} {shown}: not in your "
                "library or imported catalog."
            )
        rows = [self.index[s] for s in dict.fromkeys(seed_ids) if s in self.index]
        if not rows:
            which = "this track has" if len(seed_ids) == 1 else "none of these tracks have"
            raise NoFeaturesError(
                f"{which} too few audio features to compare with others (recommendations "
                f"need at least 7 of the 9, energy, valence and danceability among them: "
                f"{', '.join(seed_ids[:5])}). Fetch features with `spotui sync` or import a "
                "CSV that has them."
            )
        return rows

    # ------------------------------------------------------------------ the query
    def recommend(
        self,
        seed_ids: Sequence[str],
        n: int = 10,
        new_only: bool = False,
        diversity: float = DEFAULT_DIVERSITY,
        artist_cap: int | None = DEFAULT_ARTIST_CAP,
        exclude: set[str] | None = None,
        only: set[str] | None = None,
        taste: Mapping[str, float] | None = None,
        taste_weight: float = DEFAULT_TASTE_WEIGHT,
    ) -> Ranked:
        """The ``n`` best tracks for the seeds (one track, several, or a cluster's tracks).

        ``new_only`` keeps catalog tracks only (not in the library: what to queue next).
        ``diversity`` in 0..1 is the MMR weight of "unlike the results so far" (0 = plain
        top-n by score). ``artist_cap`` limits results per artist (None or 0 = no limit).
        ``exclude`` ids are never returned (e.g. what is already queued), nor other
        versions of their songs. ``only`` (when given) restricts the candidates to these
        ids (e.g. what ReccoBeats proposed). Results are sorted by ``score`` (the
        relevance, not the MMR value); MMR only chooses them.
        ``taste`` (track id -> co-occurrence with the seeds, :mod:`spotui.analysis.recommend.taste`)
        blends the user's playlists in with ``taste_weight``; those tracks are candidates
        even when they sound different. Without any, scores are the content score alone.
        Returns a :class:`Ranked` list (with the nearest candidate's sound).
        """
        if not 0.0 <= diversity <= 1.0:
            raise ValueError("diversity must be between 0 and 1")
        rows = self.seed_rows(seed_ids)
        if n <= 0:
            return Ranked()
        query = self.scaled[rows].astype(np.float64).mean(axis=0)
        offset = self.n_library if new_only else 0
        if offset >= len(self.ids):
            return Ranked()
        scores = self._scores(np.append(2.0 * query, -1.0).astype(np.float32), offset)
        excluded = self._known_rows(exclude or ())
        available = mask_candidates(scores, offset, self.index, {*rows, *excluded}, only)
        if available <= 0:
            return Ranked()

        m = min(available, max(4 * n, 40))
        ctx = self._query(query, rows, excluded, scores, offset, m, taste, taste_weight)
        while True:
            picked, rel, nearest = self._select(scores, offset, m, n, diversity, artist_cap, ctx)
            if len(picked) >= n or m >= available:
                break
            m = min(available, m * 4)
        out = self._results(rows, picked, rel, ctx)
        out.nearest = nearest
        return out

    def _known_rows(self, ids: Iterable[str]) -> list[int]:
        """Pool rows of those of ``ids`` the pool has (others cannot be returned anyway)."""
        return [self.index[e] for e in ids if e in self.index]

    def _query(
        self,
        query: np.ndarray,
        rows: list[int],
        excluded: list[int],
        scores: np.ndarray,
        offset: int,
        m: int,
        taste: Mapping[str, float] | None,
        taste_weight: float,
    ) -> _Query:
        """What the picking needs to know of the seeds: their centroid, their songs (and
        the excluded ones'), their genres and artists, and the ``m`` tracks kept most
        with them among the candidates."""
        return _Query(
            query=query,
            versions=VersionFilter(self.track(r) for r in [*rows, *excluded]),
            shares=seed_shares([self.track(r) for r in rows]),
            taste=taste_rows(
                taste, self.index, lambda r: r >= offset and np.isfinite(scores[r - offset]), m
            ),
            taste_weight=taste_weight,
        )

    def _results(self, rows, picked, rel, ctx: _Query) -> Ranked:
        """The picks as results, best ``score`` first: MMR and the artist cap chose them,
        the list reads by the score (the relevance it ranked on), never against it. The
        sound is computed exactly for each pick, not taken back out of the blend."""
        ranked = sorted(zip(picked, rel, strict=True), key=lambda x: -x[1])
        seed = (
            self.z[rows].mean(axis=0),
            self.raw[rows].mean(axis=0),
            self.imputed[rows].all(axis=0),
        )
        out = Ranked()
        out.taste_weight = ctx.taste_weight if ctx.taste else 0.0
        blended = bool(ctx.taste) or self._boosted(ctx)
        for r, s in ranked:
            co = ctx.taste.get(r, 0.0)
            # unblended, the score *is* the sound (computing it twice may differ in an ulp)
            sound = self.similarity(np.linalg.norm(self.scaled[r] - ctx.query)) if blended else s
            out.append(
                RecommendationResult(
                    track=self.track(r),
                    score=float(s),
                    reason=kept_with(co, len(rows)) + self._reason(seed, r, *ctx.shares),
                    in_library=self.in_library(r),
                    taste=co,
                    sound=float(sound),
                    blended=blended,
                )
            )
        return out

    def _boosted(self, ctx: _Query) -> bool:
        """Whether the optional genre/artist blend changes scores for these seeds."""
        genre_share, artist_share = ctx.shares
        return bool((genre_share and self.genre_boost) or (artist_share and self.artist_boost))

    def _scores(self, qa: np.ndarray, offset: int) -> np.ndarray:
        """``|q|^2 - |q - x|^2`` for every candidate from row ``offset`` on (higher = closer).

        In blocks of :data:`_SCORE_BLOCK` tracks: one BLAS call over a million rows goes
        multi-threaded, and on a busy 2-core machine waiting for the second thread made it
        ~8x slower (16 ms vs 2 ms at 1M); blocks this size stay on the calling thread.
        """
        mat = self.aug_t[:, offset:]
        out = np.empty(mat.shape[1], dtype=np.float32)
        for a in range(0, len(out), _SCORE_BLOCK):
            np.matmul(qa, mat[:, a : a + _SCORE_BLOCK], out=out[a : a + _SCORE_BLOCK])
        return out

    def _shortlist(self, scores, offset, m, ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``m`` closest rows, exact distances (float64), relevance; best first."""
        short = np.sort(top_m(scores, m))  # pool order first, so ties break the same way
        short = short[np.isfinite(scores[short])]
        rows = short + offset
        if ctx.taste:  # tracks kept with the seeds are candidates however they sound
            rows = np.union1d(rows, np.fromiter(ctx.taste, dtype=rows.dtype))
        dist = np.linalg.norm(self.scaled[rows].astype(np.float64) - ctx.query, axis=1)
        rel = self.similarity(dist)
        genre_share, artist_share = ctx.shares
        if self._boosted(ctx):
            keep = 1.0 - self.genre_boost - self.artist_boost
            match = [metadata_match(self.track(int(r)), genre_share, artist_share) for r in rows]
            rel = keep * rel + np.array(
                [self.genre_boost * g + self.artist_boost * a for g, a in match]
            )
        if ctx.taste:
            co = np.array([ctx.taste.get(int(r), 0.0) for r in rows])
            rel = blend(rel, co, ctx.taste_weight)
        order = np.lexsort((dist, -rel))  # by relevance; equal relevance: the closer first
        return rows[order], dist[order], rel[order]

    def _select(
        self,
        scores: np.ndarray,
        offset: int,
        m: int,
        n: int,
        diversity: float,
        artist_cap: int | None,
        ctx: _Query,
    ) -> tuple[list[int], list[float], float | None]:
        """Shortlist the ``m`` closest, blend metadata in, then pick ``n`` by MMR. Also the
        sound of the closest candidate that is not a version of a seed or excluded track
        (the shortlist holds the ``m`` closest, so it is the closest of the pool)."""
        rows, dist, rel = self._shortlist(scores, offset, m, ctx)
        nearest = next(
            (float(self.similarity(dist[i])) for i in np.argsort(dist, kind="stable")
             if not ctx.versions.seen(self.track(int(rows[i])))),
            None,
        )  # fmt: skip
        picked, picked_rel = mmr_pick(
            rows,
            rel,
            self.scaled[rows].astype(np.float64) / self.d_ref,
            n,
            diversity,
            artist_cap,
            ctx.versions.copy(),
            self.track,
        )
        return picked, picked_rel, nearest

    # ------------------------------------------------------------------ explanations
    def _reason(
        self, seed, row: int, genre_share: dict[str, float], artist_share: dict[str, float]
    ) -> str:
        return explain(
            seed[0],
            self.z[row],
            seed[1],
            self.raw[row],
            seed_imputed=seed[2],
            cand_imputed=self.imputed[row],
            weights=self.weights,
            shared_genres=shared_genres(self.track(row).genres, genre_share)
            if self.genre_boost
            else [],
            same_artist=any(artist_share.get(a.casefold(), 0) > 0 for a in self.track(row).artists),
        )


def _nan(v) -> float:
    return np.nan if v is None else float(v)


__all__ = [
    "DEFAULT_ARTIST_CAP", "DEFAULT_DIVERSITY", "DEFAULT_GENRE_BOOST", "RECOMMEND_WEIGHTS",
    "Ranked", "RecommendationResult", "Recommender", "explain", "neighbour_distance",
    "normalise_track_id", "scale_rows", "top_m",
]  # fmt: skip
