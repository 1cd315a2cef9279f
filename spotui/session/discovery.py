"""Discovery beyond the library, and no repeats: the rules, and the session's
``discovery`` service (:class:`DiscoveryService`) that applies them.

Why a module of its own: discovery joins three layers (analysis chooses the seed sets,
sources fetch and store candidates, the store remembers answers and what was queued) and
both faces need the same rules, so they live once here, under the session.

* :func:`discover` asks ReccoBeats (the offline demo one in ``--demo``) for candidates
  like the seeds, with seeds that cover a cluster (:mod:`spotui.analysis.recommend.discovery_seeds`), stores
  them as catalog tracks and gets their features; it reports failure instead of raising.
  Candidates that are library tracks or other versions of library songs are left out.
* :func:`recent_exclusions`: tracks queued in the last :data:`QUEUED_HOURS` hours or
  skipped in the last :data:`SKIPPED_DAYS` days are not offered again (nor other
  versions of their songs: the recommender adds those to its version filter).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spotui.config.env import Config
from spotui.core.progress import CancelCheck, Progress, no_progress
from spotui.sources.reccobeats import Discovery

if TYPE_CHECKING:
    from spotui.core.records import Track
    from spotui.http import HttpClient
    from spotui.session.context import SessionContext
    from spotui.store import Store

#: A queued track is not offered again for this long (a listening session, and then some).
QUEUED_HOURS = 24
#: A skipped track is not offered again for this long.
SKIPPED_DAYS = 30
QUEUED, SKIPPED = "queued", "skipped"


def discover(
    config: Config,
    store: Store,
    rec,  # spotui.analysis.recommend.recommender.Recommender (seeds already checked)
    seed_ids: Sequence[str],
    spotify: HttpClient | None = None,
    cancel: CancelCheck | None = None,
    progress: Progress | None = None,
    *,
    now: Callable[[], float] = time.time,
    negative_seeds: Sequence[str] = (),
) -> Discovery:
    """Candidates from outside the library for ``seed_ids``; see the module docstring.
    ``negative_seeds``: tracks to steer away from (ReccoBeats ``negativeSeeds``)."""
    from spotui.analysis.recommend.discovery_seeds import seed_sets
    from spotui.sources.feature_providers import (
        ReccoBeatsFeatures,
        default_providers,
        lookup_features,
        reccobeats_http,
    )
    from spotui.sources.reccobeats import fetch_candidates

    sets = seed_sets(rec, seed_ids)
    if not sets:
        return Discovery(error="none of the seeds is a Spotify track, so ReccoBeats cannot know it")
    if config.demo:
        from spotui.sources.demo_reccobeats import PROVIDER, DemoReccoBeats

        http = DemoReccoBeats(store.tracks.get_features_many)
        providers = [ReccoBeatsFeatures(http, name=PROVIDER)]
    else:
        http = reccobeats_http(config)
        providers = default_providers(config, spotify, reccobeats=http)

    progress = progress or no_progress

    def lookup(ids: list[str]) -> None:
        if ids:
            lookup_features(
                store, providers, track_ids=ids, cancel=cancel, workers=1, progress=progress
            )

    try:
        found = fetch_candidates(
            store,
            http,
            sets,
            lookup=lookup,
            now=now,
            cancel=cancel,
            progress=progress,
            negative_seeds=negative_seeds,
        )
    finally:
        http.close()
    found.candidate_ids = new_songs(store, found.candidate_ids)
    return found


def new_songs(store: Store, candidate_ids: Sequence[str]) -> list[str]:
    """The candidates that are new songs: not library tracks, nor other versions of one
    (a remaster or a live take of a song you have is not a discovery)."""
    from spotui.analysis.recommend.same_song import VersionFilter

    if not candidate_ids:
        return []
    have = VersionFilter(store.tracks.get_tracks(scope="library"))
    return [t.id for t in store.tracks.get_tracks(candidate_ids) if not have.seen(t)]


def recent_exclusions(store: Store, now: float | None = None) -> set[str]:
    """Ids not to offer again: queued within :data:`QUEUED_HOURS`, skipped within
    :data:`SKIPPED_DAYS`."""
    t = time.time() if now is None else now
    return store.discovery.recent_tracks(
        {QUEUED: t - QUEUED_HOURS * 3600, SKIPPED: t - SKIPPED_DAYS * 86400}
    )


def note_recent(store: Store, track_ids: Sequence[str], kind: str) -> list[str]:
    """Remember tracks (ids, URIs or links) as just queued or skipped; the ids noted."""
    from spotui.spotify.ids import normalise_track_id

    ids = list(dict.fromkeys(normalise_track_id(t) for t in track_ids))
    if ids:
        store.discovery.note_recent(ids, kind, time.time())
    return ids


def forget_recent(store: Store, track_ids: Sequence[str], kind: str) -> list[str]:
    """Undo :func:`note_recent` for these tracks (ids, URIs or links); the ids forgotten."""
    from spotui.spotify.ids import normalise_track_id

    ids = list(dict.fromkeys(normalise_track_id(t) for t in track_ids))
    if ids:
        store.discovery.forget_recent(ids, kind)
    return ids


def track_title(track: Track | None, track_id: str) -> str:
    """How a message names a track: “Song” by Artist, or its id when it has no name."""
    if track is None or not track.name:
        return track_id
    by = f" by {track.artist_line}" if track.artists else ""
    return f"“{track.name}”{by}"


def _titles(titles: Sequence[str]) -> str:
    """“A” by X; “A” by X and “B” by Y; “A” by X, “B” by Y and 3 more."""
    from spotui.core.text import number

    if len(titles) <= 2:
        return " and ".join(titles)
    if len(titles) == 3:
        return f"{titles[0]}, {titles[1]} and {titles[2]}"
    return f"{titles[0]}, {titles[1]} and {number(len(titles) - 2)} more"


@dataclass(frozen=True)
class SkipResult:
    """What a skip (or its undo) did, named so the user sees which tracks it acted on."""

    track_ids: list[str]
    #: each track as :func:`track_title` names it, in ``track_ids`` order
    titles: list[str] = field(default_factory=list)
    undone: bool = False

    def summary(self) -> str:
        if not self.track_ids:
            return "Nothing to unskip." if self.undone else "Nothing to skip."
        what = _titles(self.titles or self.track_ids)
        if self.undone:
            return f"Unskipped {what}: can be recommended again."
        return f"Skipped {what}: not offered again for {SKIPPED_DAYS} days."

    def as_dict(self) -> dict:
        return {"unskipped" if self.undone else "skipped": list(self.track_ids)}


class DiscoveryService:
    """``session.discovery``: candidates from outside the library, with this user's
    client and store (the rules are the functions above)."""

    def __init__(self, context: SessionContext) -> None:
        self._context = context

    def find(
        self,
        rec: Any,  # spotui.analysis.recommend.recommender.Recommender (seeds already checked)
        seed_ids: list[str],
        cancel: CancelCheck | None = None,
        progress: Progress | None = None,
    ) -> Discovery:
        """Candidates from outside the library for ``seed_ids`` (see :func:`discover`)."""
        context = self._context
        with context.spotify(needed=context.logged_in()) as spotify, context.db() as store:
            store.verify()  # discovery writes candidates: never into a damaged file
            return discover(context.config, store, rec, seed_ids, spotify, cancel, progress)
