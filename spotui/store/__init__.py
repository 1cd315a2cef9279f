"""The local SQLite store: the single source of truth and the only place with SQL.

Why one package owns every statement: sync, import, analysis and export all read and
write the same few tables, and keeping the SQL here means a schema change is one diff,
migrations are in one list, and the faces can never grow ad-hoc queries. :class:`Store`
is one class for its callers, assembled from one section per concern:

* :mod:`~spotui.store.schema`: DDL, migrations, shared SQL fragments;
* :mod:`~spotui.store.connection`: opening (moving broken files aside), transactions;
* :mod:`~spotui.store.tracks`: tracks, audio features, feature-provider bookkeeping;
* :mod:`~spotui.store.library`: saved tracks, playlists, top, recent, imports, sync state;
* :mod:`~spotui.store.analysis`: segmentation runs and export mappings (dataclasses);
* :mod:`~spotui.store.queries`: counts, fingerprints, the recommendation pool, table rows.
"""

from __future__ import annotations

from spotui.errors import StoreError
from spotui.store.analysis import AnalysisRun, AnalysisSection, ExportMapping, StoredCluster
from spotui.store.connection import OpenNotice, now_iso
from spotui.store.library import LibrarySection
from spotui.store.queries import QueriesSection
from spotui.store.schema import MIGRATIONS, SCHEMA_VERSION, SCOPES
from spotui.store.tracks import TracksSection, track_from_row

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SCOPES",
    "AnalysisRun",
    "ExportMapping",
    "OpenNotice",
    "Store",
    "StoreError",
    "StoredCluster",
    "now_iso",
    "track_from_row",
]


class Store(QueriesSection, AnalysisSection, LibrarySection, TracksSection):
    """A connection to one spotui database. Not thread-safe: one Store per thread."""
