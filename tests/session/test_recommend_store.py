"""The recommendation pool built from the store: the module-level helper and the pool cache."""

from __future__ import annotations

import pytest

from spotui.core.records import Track
from spotui.session.recommend_store import clear_cache, recommend, recommender
from tests.analysis.recommend.test_recommender import LIBRARY, _features, _fill, _ids


@pytest.fixture
def rec_store(store):
    _fill(store)
    clear_cache()
    return store


def test_module_level_helper(rec_store):
    assert _ids(recommend(rec_store, ["p1"], n=1)) == ["k1"]
    assert _ids(recommend(rec_store, ["spotify:track:p1"], n=1)) == ["k1"]


def test_pool_is_cached_until_it_changes(rec_store):
    a = recommender(rec_store)
    assert recommender(rec_store) is a
    rec_store.tracks.upsert_tracks([Track("k3", "Later", ("New Act",))])
    rec_store.tracks.upsert_features([_features("k3", LIBRARY["p1"][2])])
    rec_store.library.add_imports(["k3"], "catalog", "more")
    b = recommender(rec_store)
    assert b is not a
    assert _ids(b.recommend(["p1"], n=1, new_only=True)) == ["k3"]
