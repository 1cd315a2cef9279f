"""Small immutable records passed between the store, the analysis core and the faces.

They are plain dataclasses (no ORM) so the core can be tested without a database and the
TUI can hold thousands of them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spotui.feature_spec import FEATURE_NAMES, UNIT_FEATURES  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from spotui.analysis.result import SegmentResult
    from spotui.sources.feature_providers import FeatureResult
    from spotui.spotify.sync import SyncResult
    from spotui.store.queries import LibraryColumns


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    name: str
    artists: tuple[str, ...] = ()
    album: str = ""
    duration_ms: int | None = None
    release_date: str | None = None
    genres: tuple[str, ...] = ()
    isrc: str | None = None

    @property
    def uri(self) -> str:
        return f"spotify:track:{self.id}"

    @property
    def artist_line(self) -> str:
        return ", ".join(self.artists)


@dataclass(frozen=True, slots=True)
class Features:
    """Audio features of one track and the provider that gave them."""

    track_id: str
    provider: str
    danceability: float | None = None
    energy: float | None = None
    valence: float | None = None
    tempo: float | None = None
    loudness: float | None = None
    acousticness: float | None = None
    instrumentalness: float | None = None
    speechiness: float | None = None
    liveness: float | None = None
    key: int | None = None
    mode: int | None = None
    time_signature: int | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return {name: getattr(self, name) for name in FEATURE_NAMES}


@dataclass(frozen=True, slots=True)
class Playlist:
    id: str
    name: str
    owner_id: str = ""
    owner_name: str = ""
    snapshot_id: str | None = None
    collaborative: bool = False
    public: bool | None = None
    total: int | None = None
    owned: bool = False


@dataclass(frozen=True, slots=True)
class Cluster:
    """One mood cluster of a segmentation run."""

    id: int
    label: str
    size: int
    reasons: tuple[str, ...] = ()
    centroid: dict[str, float] = field(default_factory=dict)
    color: str = ""


@dataclass(frozen=True, slots=True)
class TrackDetail:
    """What the detail pane shows for one track."""

    track: Track | None
    features: Features | None
    cluster: Cluster | None
    note: str = ""
    #: why the track sits in its cluster, in words (its own case, not the cluster's
    #: reasons), then where its features came from
    why: tuple[str, ...] = ()
    #: the numbers behind ``why`` (distances, deciding values), shown dimmer on demand
    why_numbers: tuple[str, ...] = ()


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
    #: what those numbers mean (:attr:`spotui.seeds.Recommendations.legend`)
    legend: str = ""
    #: "Nothing in your library sounds close ..." or None
    far_note: str | None = None


@dataclass(frozen=True, slots=True)
class LibrarySnapshot:
    """What the TUI's first screen shows, read in one go before it paints."""

    table: LibraryColumns
    #: The stored segmentation, possibly stale (checked after the first paint).
    result: SegmentResult | None
    #: The user's own playlists with their stored track counts, and their track ids.
    playlists: list[tuple[Playlist, int]]
    playlist_items: dict[str, list[str]]


@dataclass
class SyncOutcome:
    """A sync: the library sources, then (unless skipped) the audio-feature lookup."""

    library: SyncResult
    features: FeatureResult | None = None

    def summary(self) -> str:
        parts = [self.library.summary()]
        if self.features is not None:
            parts.append(self.features.summary())
        return "\n".join(parts)

    def as_dict(self) -> dict:
        data = self.library.as_dict()
        data["features"] = self.features.as_dict() if self.features else None
        return data
