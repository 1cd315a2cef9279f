"""Recommendations and the store: the candidate pool and the taste index, built from its rows.

Why here: :class:`~spotui.analysis.recommend.recommender.Recommender` and
:class:`~spotui.analysis.recommend.taste.Cooccurrence` take rows and lists and never see a
database (tests and benchmarks build them from records); which rows the store hands over,
how they are kept compact, and how long a built pool may be reused is the session's.

The pool cache is process-wide on purpose: the TUI, a CLI command and a worker in one
process share one pool per database (building it is ~1 s at 100k tracks), and each use
checks the store's cheap pool signature, so a sync or import in any process is seen.
"""

from __future__ import annotations

import marshal
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spotui.store import track_from_row

if TYPE_CHECKING:
    from spotui.analysis.recommend.recommender import Ranked, Recommender
    from spotui.analysis.recommend.taste import Cooccurrence
    from spotui.core.records import Track
    from spotui.store import Store

#: (database path, constructor options) -> (the store's pool signature, the pool built then).
_POOLS: dict[tuple, tuple[tuple, Recommender]] = {}
_POOLS_LOCK = threading.Lock()


def recommender(store: Store, *, use_cache: bool = True, **kwargs) -> Recommender:
    """The pool for ``store``; reused from the process-wide cache until the pool changes."""
    key = (str(store.path), repr(sorted(kwargs.items())))
    signature = store.queries.pool_signature() if use_cache else None
    if use_cache:
        with _POOLS_LOCK:
            hit = _POOLS.get(key)
        if hit is not None and hit[0] == signature:
            return hit[1]
    rec = _build(store, **kwargs)
    if use_cache:
        with _POOLS_LOCK:
            _POOLS[key] = (signature, rec)
    return rec


def _build(store: Store, **kwargs) -> Recommender:
    from spotui.analysis.matrix import MOOD_FEATURES
    from spotui.analysis.recommend.recommender import Recommender

    data = store.queries.pool_rows(MOOD_FEATURES)
    # Each track's metadata row as one marshal blob (~2.5x smaller than the tuple of
    # strings: ~35 MB less at 100k tracks), decoded only for the few tracks a query
    # looks at. Popped so the row tuples are freed before the matrices are built.
    meta = {r[0]: marshal.dumps(r[1:]) for r in data.pop("tracks")}
    return Recommender.from_rows(
        data["features"], meta, data["library"], data["catalog"], to_track=_pool_track, **kwargs
    )


def _pool_track(track_id: str, blob: bytes) -> Track:
    """A pool track from its marshal blob (the store's tracks row without the id)."""
    return track_from_row((track_id, *marshal.loads(blob)))


def clear_cache() -> None:
    """Forget cached pools (tests; the cache also checks the store's signature itself)."""
    with _POOLS_LOCK:
        _POOLS.clear()


def recommend(
    store: Store,
    seed_ids: Sequence[str],
    n: int = 10,
    new_only: bool = False,
    **kwargs,
) -> Ranked:
    """Recommend from ``store``'s library + catalog; see
    :meth:`~spotui.analysis.recommend.recommender.Recommender.recommend`."""
    return recommender(store).recommend(seed_ids, n=n, new_only=new_only, **kwargs)


def taste(store: Store) -> Cooccurrence:
    """The user's baskets: every playlist they own, and their saved-together weeks."""
    from spotui.analysis.recommend.taste import Cooccurrence

    return Cooccurrence.from_lists(
        store.library.owned_playlist_items(), store.library.saved_added_at().items()
    )
