"""What the session hands the faces in one piece: the first screen's read, a track's detail
pane, a sync's outcome.

Why not in :mod:`spotui.core.records`: these hold results of the layers above the kernel (the
store's table columns, the stored segmentation, a sync and a feature lookup), so a kernel
module naming them would import upwards; they live next to the session that builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotui.analysis.moods.result import SegmentResult
    from spotui.core.records import Cluster, Features, Playlist, Track
    from spotui.sources.feature_providers import FeatureResult
    from spotui.spotify.sync import SyncResult
    from spotui.store.queries import LibraryColumns


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
