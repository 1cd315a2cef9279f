"""What to recommend for (:class:`Seeds`) and what came back (:class:`Recommendations`).

Why seeds are a value and not a list of ids: "this cluster" means the cluster's tracks in
the segmentation the user sees, which only the core knows; the faces say *which* cluster,
track or selection, and :meth:`spotui.session.recommendations.RecommendationsService.recommend` resolves it. Both faces
then title and export the answer the same way. The rules for the two seeds that come from
the user's own listening live here too: "for you" (:func:`for_you_groups`: top tracks of
all three time ranges and recent plays, grouped by mood cluster) and a playlist to
continue (:func:`owned_playlist`: only playlists the user owns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotui.core.errors import NoFeaturesError, NotFoundError, UserError
from spotui.core.text import count, number, plural
from spotui.export.targets import recommendation_target

if TYPE_CHECKING:
    from spotui.analysis.moods.result import SegmentResult
    from spotui.analysis.recommend.recommender import RecommendationResult
    from spotui.core.records import Cluster, Features, Playlist, Track
    from spotui.sources.reccobeats import Discovery

TRACK, CLUSTER, SELECTION = "track", "cluster", "selection"
PLAYLIST, FOR_YOU = "playlist", "for_you"

#: Top-track time ranges, most telling first (what the user plays now).
TIME_RANGES = ("short_term", "medium_term", "long_term")
#: At most this many of the user's tracks seed one "for you" cluster (most played first).
FOR_YOU_MAX_SEEDS = 25
NO_LISTENING = (
    "There are no top tracks or recent plays yet, so there is nothing to base “for you” "
    "on. Run `spotui sync` (it reads your top tracks and recently played tracks), or "
    "recommend for a track (--track), a cluster (--cluster) or a playlist (--playlist)."
)


@dataclass(frozen=True)
class Seeds:
    """One track or several (their average sound), a mood cluster, a map selection, a
    playlist the user owns (to continue it) or "for you" in one mood cluster (the user's
    top tracks and recent plays in that cluster)."""

    kind: str
    ids: tuple[str, ...] = ()
    cluster_id: int | None = None

    @classmethod
    def track(cls, ids: str | Sequence[str]) -> Seeds:
        return cls(TRACK, (ids,) if isinstance(ids, str) else tuple(ids))

    @classmethod
    def cluster(cls, cluster_id: int) -> Seeds:
        return cls(CLUSTER, cluster_id=cluster_id)

    @classmethod
    def selection(cls, ids: Sequence[str]) -> Seeds:
        return cls(SELECTION, tuple(ids))

    @classmethod
    def playlist(cls, playlist_id: str) -> Seeds:
        return cls(PLAYLIST, (playlist_id,))

    @classmethod
    def for_you(cls, cluster_id: int) -> Seeds:
        return cls(FOR_YOU, cluster_id=cluster_id)


@dataclass
class Recommendations:
    """The answer for some seeds: the results and what they were for."""

    seeds: Seeds
    seed_ids: list[str]
    results: list[RecommendationResult]
    #: the first seed that has audio features (track and selection seeds)
    first: Track | None = None
    #: the seed cluster (cluster and for-you seeds)
    cluster: Cluster | None = None
    #: the playlist to continue (playlist seeds)
    playlist: Playlist | None = None
    #: where discovered candidates came from, or why there are none (``discover=True``)
    discovery: Discovery | None = None
    #: the best sound of any candidate that could have been returned (None: no candidate)
    nearest: float | None = None
    #: the taste blend weight the scores used (0.0: the score is the sound)
    taste_weight: float = 0.0
    #: only tracks outside the library were candidates
    new_only: bool = False

    @property
    def legend(self) -> str:
        """What the numbers mean, in one line, for both faces. Why: a blended list is
        sorted by "match", which is not how a track sounds; the reader needs the formula
        to see why a taste pick sits above a closer-sounding one, and that MMR and the
        artist cap left some tracks out (they never reorder: the list is sorted after)."""
        sound = (
            "sound: 1.00 = the same sound, 0.50 = as close as a typical track's "
            "10th-nearest neighbour in your library"
        )
        varied = "(for variety, some close tracks and extra tracks by one artist are left out)"
        if self.results and self.results[0].blended:
            if self.taste_weight:
                w = self.taste_weight
                match = f"match = {w:.1f} × taste + {1 - w:.1f} × sound"
            else:
                match = "match = the sound with the genre/artist boost"
            taste = "taste: the share of the seeds your playlists keep it with"
            return f"Ordered by {match} {varied}; {taste}; {sound}."
        return f"Ordered by sound {varied}; {sound}."

    @property
    def far_note(self) -> str | None:
        """ "Nothing in your library sounds close to this track; ..." when even the nearest
        candidate's sound is below :data:`~spotui.analysis.recommend.scoring.FAR_SOUND` (the 5th
        percentile of a real library's seeds), else None. The core decides; both faces
        show it, so a list of 0.01s is never presented as a list of matches."""
        from spotui.analysis.recommend.scoring import FAR_SOUND

        if not self.results or self.nearest is None or self.nearest >= FAR_SOUND:
            return None
        what, them = self._seed_words()
        tail = "these are the nearest, but far"
        if self.taste_weight and any(r.taste > 0 for r in self.results):
            tail += f", and what your playlists keep with {them}"
        where = self._searched_words()
        return f"{where} sounds close to {what} (nearest: sound {self.nearest:.2f}); {tail}."

    def _searched_words(self) -> str:
        """Where the candidates came from, as the far note's subject."""
        if self.discovery is not None and not self.discovery.failed:
            return "Nothing ReccoBeats proposed"
        return "Nothing outside your library" if self.new_only else "Nothing in your library"

    def _seed_words(self) -> tuple[str, str]:
        """What was asked about, and the pronoun for it ("this playlist", "it")."""
        if self.playlist is not None:
            return "this playlist", "it"
        if self.cluster is not None and self.seeds.kind == CLUSTER:
            return "this cluster", "it"
        return ("this track", "it") if len(self.seed_ids) == 1 else ("these tracks", "them")

    @property
    def title(self) -> str:
        """For people: "Like “Song” by Artist and 2 more", "Like cluster 3 “Calm” (120 tracks)",
        "More Calm for you (4 of your top and recent tracks)", "More for “Gym Mix” (40 tracks)"."""
        n = len(self.seed_ids)
        if self.seeds.kind == FOR_YOU:
            return (
                f"More {self.cluster.label} for you ({number(n)} of your top and recent "
                f"{plural(n, 'track')})"
            )
        if self.playlist is not None:
            return f"More for “{self.playlist.name}” ({count(n, 'track')})"
        if self.cluster is not None:
            return f"Like cluster {self.cluster.id} “{self.cluster.label}” ({count(n, 'track')})"
        if self.seeds.kind == SELECTION:
            return f"Like the map selection ({count(n, 'track')})"
        first = self.first
        title = f"Like “{first.name}” by {first.artist_line or 'unknown artist'}"
        return title + (f" and {n - 1} more" if n > 1 else "")

    @property
    def key(self) -> str:
        """The export mapping key: the same seeds export to the same playlist."""
        return recommendation_target(
            self.seed_ids,
            self.cluster.id if self.cluster is not None else None,
            playlist_id=self.playlist.id if self.playlist is not None else None,
            for_you=self.seeds.kind == FOR_YOU,
        )


def listening_ids(store) -> list[str]:
    """The user's top tracks (short, medium, long term) then recent plays, each once."""
    ids: list[str] = []
    for time_range in TIME_RANGES:
        ids += store.library.top_track_ids(time_range)
    ids += store.library.recent_track_ids()
    return list(dict.fromkeys(ids))


def for_you_groups(store, result: SegmentResult) -> list[tuple[Cluster, list[str]]]:
    """``(cluster, the user's top/recent tracks in it)`` for every cluster that has some,
    the most listened-to cluster first. A clear error when there is nothing to go on."""
    ids = listening_ids(store)
    if not ids:
        raise UserError(NO_LISTENING)
    groups: dict[int, list[str]] = {}
    for t in ids:
        cid = result.assignments.get(t)
        if cid is not None:
            groups.setdefault(cid, []).append(t)
    if not groups:
        raise NoFeaturesError(
            f"None of your {len(ids)} top and recent tracks has audio features yet, so none "
            "is in a mood cluster. Run `spotui features` (or import a CSV that has them)."
        )
    order = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [(result.cluster(cid), members[:FOR_YOU_MAX_SEEDS]) for cid, members in order]


def playlist_id(value: str) -> str:
    """A playlist id from an id, a ``spotify:playlist:`` URI or an open.spotify.com link."""
    value = value.strip()
    for marker in ("spotify:playlist:", "open.spotify.com/playlist/"):
        if marker in value:
            return value.split(marker, 1)[1].split("?")[0].strip("/")
    return value


def owned_playlist(store, value: str) -> tuple[Playlist, list[str]]:
    """A playlist the user owns and its track ids; a clear error for any other."""
    pid = playlist_id(value)
    playlist = store.library.get_playlist(pid)
    if playlist is None:
        owned = [p for p, _ in store.library.playlists(owned_only=True)]
        known = "; ".join(f"{p.id} “{p.name}”" for p in owned[:8]) or "none synced yet"
        raise NotFoundError(f"There is no playlist {pid} (your playlists: {known}).")
    if not playlist.owned:
        owner = playlist.owner_name or playlist.owner_id or "someone else"
        raise UserError(
            f"“{playlist.name}” belongs to {owner}: spotui can only continue playlists you own "
            "(Spotify does not show the tracks of other people's playlists to spotui)."
        )
    ids = store.library.playlist_track_ids(pid)
    if not ids:
        raise UserError(f"“{playlist.name}” has no tracks spotui knows of; run `spotui sync`.")
    return playlist, ids


def resolve(seeds: Seeds, store, result: SegmentResult | None):
    """``(seed track ids, cluster, playlist)`` for ``seeds``: what the recommender gets and
    what the answer is titled by. ``result`` is the segmentation shown (cluster and for-you
    seeds need it)."""
    if seeds.kind == CLUSTER:
        cluster = result.cluster(seeds.cluster_id)  # NotFoundError for an unknown id
        return result.tracks_in(cluster.id), cluster, None
    if seeds.kind == FOR_YOU:
        for cluster, ids in for_you_groups(store, result):
            if cluster.id == seeds.cluster_id:
                return ids, cluster, None
        result.cluster(seeds.cluster_id)  # NotFoundError for an unknown id
        raise UserError(
            f"None of your top or recent tracks is in cluster {seeds.cluster_id}; "
            "`spotui recommend --for-you` lists the clusters that have some."
        )
    if seeds.kind == PLAYLIST:
        playlist, ids = owned_playlist(store, seeds.ids[0])
        return ids, None, playlist
    return list(seeds.ids), None, None


@dataclass(frozen=True, slots=True)
class RecommendationDetail:
    """One recommendation in full: the track, its features, and what it was compared with."""

    track: Track
    features: Features | None
    reason: str
    score: float
    in_library: bool
    #: the seed's features (one track), the seeds' average or the cluster's centre
    reference: dict[str, float]
    #: what ``reference`` is, for people ("“Song”", "the cluster centre", ...)
    reference_label: str
    #: the score as the list shows it ("sound 0.86", "match 0.12 (taste 0.04 · sound 0.86)")
    score_line: str = ""
    #: what those numbers mean (:attr:`Recommendations.legend`)
    legend: str = ""
    #: "Nothing in your library sounds close ..." or None
    far_note: str | None = None


def recommendation_detail(
    recs: Recommendations, index: int, features: Features | None, seed_features: list[dict]
) -> RecommendationDetail:
    """Result ``index`` of ``recs`` in full, with what to compare it with: the seed track's
    own features, the seeds' average (several tracks, a map selection) or, for a cluster,
    its centre. ``seed_features`` are the seeds' stored features (unused for a cluster)."""
    rec = recs.results[index]
    if recs.seeds.kind == CLUSTER and recs.cluster is not None:
        reference = dict(recs.cluster.centroid)
        label = f"the centre of {recs.cluster.label}"
    else:
        reference = _average(seed_features)
        if recs.playlist is not None:
            label = f"the average of “{recs.playlist.name}”"
        elif len(recs.seed_ids) == 1 and recs.first is not None:
            label = f"“{recs.first.name}”"
        else:
            label = f"the average of the {len(recs.seed_ids)} seed tracks"
    return RecommendationDetail(
        rec.track,
        features,
        rec.reason,
        rec.score,
        rec.in_library,
        reference,
        label,
        score_line=rec.score_line,
        legend=recs.legend,
        far_note=recs.far_note,
    )


def _average(rows: list[dict]) -> dict[str, float]:
    """Per feature, the mean of the values present (a feature nobody has is left out)."""
    out: dict[str, float] = {}
    for name in rows[0] if rows else ():
        values = [r[name] for r in rows if r.get(name) is not None]
        if values:
            out[name] = sum(values) / len(values)
    return out
