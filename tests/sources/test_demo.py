"""The demo library is deterministic and has real structure."""

from __future__ import annotations

from collections import Counter

from spotui.sources import demo


def test_same_seed_same_library():
    a = demo.generate(500, seed=3, n_catalog=50)
    b = demo.generate(500, seed=3, n_catalog=50)
    assert a.tracks == b.tracks
    assert a.features == b.features
    assert a.saved == b.saved
    assert a.playlists == b.playlists
    assert a.catalog == b.catalog


def test_other_seed_other_library():
    assert demo.generate(200, seed=1).tracks != demo.generate(200, seed=2).tracks


def test_shape_of_default_library():
    lib = demo.generate()
    assert len(lib.tracks) == 2000
    assert len({t.id for t in lib.tracks}) == 2000
    missing = 2000 - len(lib.features)
    assert 30 <= missing <= 90  # about 3% without features
    genres = Counter(t.genres[0] for t in lib.tracks)
    assert set(genres) == set(demo.GENRES)
    assert min(genres.values()) > 50
    # every track is reachable: saved or in a playlist
    reachable = {tid for tid, _ in lib.saved} | {tid for _, items in lib.playlists for tid in items}
    assert reachable == {t.id for t in lib.tracks}


def test_genres_have_distinct_features():
    lib = demo.generate()
    genre = {t.id: t.genres[0] for t in lib.tracks}
    energy: dict[str, list[float]] = {}
    for f in lib.features:
        energy.setdefault(genre[f.track_id], []).append(f.energy)
    mean = {g: sum(v) / len(v) for g, v in energy.items()}
    assert mean["metal"] > 0.85 > 0.25 > mean["classical"]


def test_ensure_demo_populates_once(store):
    assert demo.ensure_demo(store) is True
    assert demo.ensure_demo(store) is False
    assert store.queries.counts()["library_tracks"] == 2000


def test_demo_listening_top_tracks_and_recent_plays(demo_store):
    lib = demo.generate(n_catalog=demo.DEMO_CATALOG_SIZE)  # as the demo database is made
    assert {k: len(v) for k, v in lib.top.items()} == {
        "short_term": 20,
        "medium_term": 30,
        "long_term": 40,
    }
    assert len(lib.recent) == 25
    saved = {t for t, _ in lib.saved}
    assert all(t in saved for ids in lib.top.values() for t in ids)  # no new library tracks
    short = Counter(
        next(t.genres[0] for t in lib.tracks if t.id == i) for i in lib.top["short_term"]
    )
    assert set(short) <= {"edm", "pop", "hip hop"}
    assert demo_store.library.top_track_ids("short_term") == lib.top["short_term"]
    assert demo_store.library.recent_track_ids(100) == list(dict.fromkeys(t for _, t in lib.recent))
    # a demo database made before it had them gets them on the next start, once
    demo_store.conn.execute("DELETE FROM top_tracks")
    demo_store.conn.execute("DELETE FROM recent_plays")
    demo_store.conn.execute("DELETE FROM meta WHERE key = 'demo_listening'")
    assert demo.ensure_demo(demo_store) is False
    assert demo_store.library.top_track_ids("long_term") == lib.top["long_term"]
    assert demo_store.queries.counts()["library_tracks"] == 2000
