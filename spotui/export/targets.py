"""What an export is called and holds: a cluster, a map selection or a recommendation
list turned into a playlist name, a description and its tracks.

Why the names live here and not in the faces: the CLI and the TUI export the same cluster
to the same playlist, so they must agree on its name and on its *key* (``cluster:3``,
``selection:<hash>``, ``recommend:<seeds>``), the export mapping that makes a second
export replace the first playlist instead of creating another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from spotui.core.text import count
from spotui.spotify.ids import parse_track_id

if TYPE_CHECKING:
    from spotui.analysis.moods.result import SegmentResult
    from spotui.core.records import Cluster, Playlist, Track

NAME_PREFIX = "spotui · "


@dataclass(frozen=True)
class ExportTarget:
    """One thing to export: its mapping key, playlist (or file) title, description, tracks."""

    key: str
    name: str
    description: str | None
    track_ids: tuple[str, ...]
    #: The library generation of the view it was made from (the session stamps it and
    #: checks it before writing: spotui.session.changes); None: not checked.
    view: int | None = None


def cluster_tracks(result: SegmentResult, cluster_id: int) -> list[str]:
    """A cluster's tracks, most typical first (then in id order)."""
    result.cluster(cluster_id)  # NotFoundError for an unknown id
    members = result.tracks_in(cluster_id)
    member_set = set(members)
    first = [t for t in result.examples.get(cluster_id, []) if t in member_set]
    lead = set(first)
    return first + sorted(t for t in members if t not in lead)


def cluster_name(cluster: Cluster) -> str:
    return f"{NAME_PREFIX}{cluster.label}"


#: How a description says the mood word a cluster label starts with (spotui.analysis.moods.labels'
#: words); a label's other words (texture, contrast) are said as they are, in lower case.
MOOD_PHRASES: dict[str, str] = {
    "Euphoric": "bright, high-energy", "Intense": "intense, high-energy",
    "Serene": "serene, gentle", "Melancholic": "melancholic, low-energy",
    "Energetic": "high-energy", "Calm": "calm", "Cheerful": "cheerful", "Moody": "moody",
    "Mellow": "mellow", "Mixed": "mixed",
}  # fmt: skip


def cluster_description(cluster: Cluster) -> str:
    """The playlist description: one sentence a person would write ("Bright, high-energy
    dance tracks from my library, grouped by spotui."), not the clustering's numbers.

    Why not the reasons: the description is shown to anyone the playlist is shared with,
    and "energy >= 0.60, valence 0.32 (library 0.47)" reads as a stats dump there; the
    reasons stay in the app and in ``spotui segment``. The export marker is added after
    this (:func:`spotui.export.playlists.with_marker`).
    """
    words: list[str] = []
    mood_said = False
    for word in cluster.label.split():
        if word.isdigit():  # a numeral that only keeps labels apart in the app
            continue
        if not mood_said and word in MOOD_PHRASES:
            said = MOOD_PHRASES[word]
            if words and words[-1] == said.split(",")[0]:  # "Bright Euphoric": said once
                words.pop()
            words.append(said)
            mood_said = True
        else:
            words.append(word.lower())
    phrase = " ".join(words) or "favourite"
    return f"{phrase[0].upper()}{phrase[1:]} tracks from my library, grouped by spotui."


def cluster_target(result: SegmentResult, cluster_id: int, name: str | None = None) -> ExportTarget:
    """One mood cluster as a playlist named after its mood."""
    cluster = result.cluster(cluster_id)
    ids = cluster_tracks(result, cluster_id)
    return ExportTarget(
        f"cluster:{cluster_id}",
        name or cluster_name(cluster),
        cluster_description(cluster),
        tuple(ids),
    )


def selection_target(track_ids: Sequence[str]) -> ExportTarget:
    """Tracks picked on the mood map; the same selection always maps to the same playlist."""
    ids = tuple(track_ids)
    digest = hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:12]
    return ExportTarget(
        f"selection:{digest}",
        f"{NAME_PREFIX}Map selection ({count(len(ids), 'track')})",
        f"{count(len(ids), 'track')} picked on spotui's mood map.",
        ids,
    )


def filtered_target(
    base: ExportTarget | None,
    what: str,
    track_ids: Sequence[str],
    query: str = "",
    *,
    as_shown: bool = False,
) -> ExportTarget:
    """The tracks of ``base`` (None: the library, or what ``what`` names) that a filter left.

    Why its own key: exporting "Calm Acoustic" filtered by "rain" must not replace the
    playlist of the whole cluster, and the same filter again replaces its own playlist.
    ``as_shown``: with no filter, ``base`` keeps its key and name but holds ``track_ids``
    in their order, so a file written from the table follows the table's sort.
    """
    ids = tuple(track_ids)
    query = query.strip()
    if not query and base is not None:
        return replace(base, track_ids=ids) if as_shown else base
    what = base.name.removeprefix(NAME_PREFIX) if base is not None else what
    base_key = base.key if base is not None else f"view:{what.casefold()}"
    if not query:
        return ExportTarget(
            base_key, f"{NAME_PREFIX}{what}", f"{count(len(ids), 'track')}: {what}.", ids
        )
    return ExportTarget(
        f"{base_key}|filter:{query.casefold()}",
        f"{NAME_PREFIX}{what} · “{query}”",
        f"{count(len(ids), 'track')} of {what} matching “{query}”, picked in spotui.",
        ids,
    )


def recommendation_target(
    seed_ids: Sequence[str] = (),
    cluster_id: int | None = None,
    *,
    playlist_id: str | None = None,
    for_you: bool = False,
) -> str:
    """The export key of a recommendation list: same seeds, same playlist.

    The one rule for every kind of seeds (:attr:`spotui.session.seeds.Recommendations.key` asks
    here): a playlist to continue, "for you" in a cluster, a cluster, else the seed tracks.
    """
    if playlist_id is not None:
        return f"recommend:playlist:{playlist_id}"
    if cluster_id is not None:
        return f"recommend:{'for-you' if for_you else 'cluster'}:{cluster_id}"
    return "recommend:" + ",".join(sorted({parse_track_id(s) or s for s in seed_ids}))


class RecommendationList(Protocol):
    """What a recommendation list export reads (:class:`spotui.session.seeds.Recommendations` is
    one). A protocol, not an import: export sits below the seeds that build the list."""

    seed_ids: list[str]
    results: Sequence[Any]
    first: Track | None
    cluster: Cluster | None
    playlist: Playlist | None

    @property
    def key(self) -> str: ...


def recommendations_target(recs: RecommendationList, name: str | None = None) -> ExportTarget:
    """A recommendation list as a playlist: "Like <first seed>" or "More like <cluster>"."""
    if recs.playlist is not None:
        title = f"More for {recs.playlist.name}"
        about = f"your playlist “{recs.playlist.name}”"
    elif recs.cluster is not None:
        title = f"More like {recs.cluster.label}"
        about = f"the mood cluster “{recs.cluster.label}”"
    else:
        first = recs.first
        more = len(recs.seed_ids) - 1
        title = f"Like {first.name}" + (f" and {more} more" if more > 0 else "")
        about = f"“{first.name}” by {first.artist_line or 'unknown artist'}"
    return ExportTarget(
        recs.key,
        name or f"{NAME_PREFIX}{title}",
        f"{count(len(recs.results), 'track')} that sound like {about}, picked by spotui from "
        "audio features.",
        tuple(r.track.id for r in recs.results),
    )


def recommendations_file(recs: RecommendationList, name: str | None = None) -> ExportTarget:
    """A recommendation list as a file: titled plainly, without a description."""
    return ExportTarget(
        recs.key,
        name or f"{NAME_PREFIX}recommendations",
        None,
        tuple(r.track.id for r in recs.results),
    )
