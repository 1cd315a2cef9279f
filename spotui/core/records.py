"""Small immutable records passed between the store, the analysis core and the faces.

They are plain dataclasses (no ORM) so the core can be tested without a database and the
TUI can hold thousands of them cheaply. Only kernel records live here (a track, its
features, a playlist, a cluster), which name nothing above them: records that hold a
higher layer's results live where they are built (:mod:`spotui.session.records`,
:class:`spotui.session.seeds.RecommendationDetail`), so this module imports no layer above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spotui.core.feature_spec import FEATURE_NAMES, UNIT_FEATURES  # noqa: F401 (re-exported)


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
