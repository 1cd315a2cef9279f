"""The only code that changes the user's Spotify account, and the offline exports.

* :mod:`~spotui.export.queue`: the playback queue (each track sent once);
* :mod:`~spotui.export.player`: devices, what plays, moving playback (demo devices too);
* :mod:`~spotui.export.playlists`: plan a playlist export (and the demo outbox path);
* :mod:`~spotui.export.send`: send exactly that plan to Spotify, reconciling a create
  that got no answer;
* :mod:`~spotui.export.append`: add tracks at the end of a playlist the user owns;
* :mod:`~spotui.export.files`: CSV (Exportify layout), M3U and JSON files;
* :mod:`~spotui.export.targets`: a cluster, map selection or recommendation list turned
  into a playlist name, description, tracks and mapping key;
* :mod:`~spotui.export.outbox`: where everything goes in ``--demo`` instead of Spotify.

Nothing here segments or recommends: callers (:class:`spotui.session.facade.Session`) hand in
the segmentation result or the recommendations to export.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names -> the module that defines them. Imported on first use, so importing
#: ``spotui.export.targets`` (the TUI does, before its first paint) does not pull in the
#: HTTP stack.
_EXPORTS = {
    "append": ("AppendResult", "append_tracks", "plan_append"),
    "files": (
        "CSV_COLUMNS",
        "EXTENSIONS",
        "FORMATS",
        "FileResult",
        "file_format",
        "write_clusters",
        "write_file",
    ),
    "outbox": ("read_outbox", "write_outbox"),
    "playlist_export": ("export_tracks",),
    "playlists": (
        "CHUNK_SIZE", "NEW_PLAYLIST", "ExportIncomplete", "ExportResult", "ExportUncertain",
        "PlannedRequest", "export_marker", "plan_export",
    ),
    "player": ("DEMO_DEVICE", "DEMO_DEVICES", "Device", "Playback"),
    "queue": (
        "NO_DEVICE_HINT", "PREMIUM_MESSAGE", "NoActiveDeviceError", "QueueResult", "queue_tracks",
    ),
    "targets": (
        "NAME_PREFIX", "ExportTarget", "cluster_target", "cluster_tracks",
        "recommendation_target", "selection_target",
    ),
}  # fmt: skip
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'spotui.export' has no attribute {name!r}")
    return getattr(importlib.import_module(f"spotui.export.{module}"), name)
