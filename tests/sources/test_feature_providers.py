"""The audio-feature provider chain: Spotify (probed once) -> ReccoBeats (≤40 ids) -> CSV."""

from __future__ import annotations

import json

import pytest

from spotui.core.records import Features, Track
from spotui.sources.feature_providers import (
    RECCOBEATS,
    SPOTIFY,
    ReccoBeatsFeatures,
    SpotifyAudioFeatures,
    default_providers,
    lookup_features,
    reccobeats_http,
)
from spotui.spotify.client import SpotifyClient
from spotui.store import Store
from tests.conftest import run_cli
from tests.fakes import fake_config
from tests.fakes.reccobeats import FakeReccoBeats, features_for
from tests.fakes.spotify import spotify_id
from tests.store_helpers import in_library


@pytest.fixture
def fakes(fake):
    """The shared fake Spotify (tests/conftest.py) and a fake ReccoBeats."""
    with FakeReccoBeats() as rb:
        yield fake, rb


@pytest.fixture
def config(tmp_path, fakes):
    sp, rb = fakes
    cfg = fake_config(tmp_path, sp, rb)
    sp.write_token(cfg.token_path)
    return cfg


def library(store: Store, n: int) -> list[str]:
    ids = [spotify_id(i) for i in range(n)]
    store.tracks.upsert_tracks([Track(id=i, name=f"T{i}") for i in ids])
    store.library.add_saved([(i, "2026-01-01T00:00:00Z") for i in ids])
    return ids


def chain(config):
    return default_providers(config, SpotifyClient(config, backoff=0.01))


def test_reccobeats_batches_of_at_most_40_and_matches_by_href(fakes, config, store):
    sp, rb = fakes
    ids = library(store, 100)
    rb.know(ids[:90])
    result = lookup_features(store, chain(config))
    assert sorted(len(b) for b in rb.id_batches()) == [20, 40, 40]
    assert sorted(sum(rb.id_batches(), [])) == sorted(ids)
    f = store.tracks.get_features(ids[3])
    expected = features_for(ids[3])
    assert f.provider == RECCOBEATS
    assert f.danceability == expected["danceability"] and f.tempo == expected["tempo"]
    assert f.key == expected["key"] and f.time_signature is None
    assert result.found == {RECCOBEATS: 90}
    assert result.still_missing == 10
    assert store.tracks.tracks_missed_by(RECCOBEATS) == set(ids[90:])
    assert store.tracks.get_features(ids[95]) is None
    assert in_library(store, ids) == set(ids)  # unknown tracks stay in the library


def test_spotify_403_disables_it_once_and_is_remembered(fakes, config, store):
    sp, rb = fakes
    ids = library(store, 50)
    rb.know(ids)
    result = lookup_features(store, chain(config))
    assert len(sp.calls("/v1/audio-features")) == 1  # one probe, then off
    assert store.tracks.get_provider_state(SPOTIFY)[0] is False
    assert "403" in result.disabled[SPOTIFY]
    assert result.found == {RECCOBEATS: 50}
    # a later run does not ask Spotify again
    store.conn.execute("DELETE FROM features")
    sp.clear_log()
    result = lookup_features(store, chain(config))
    assert sp.calls("/v1/audio-features") == []
    assert SPOTIFY in result.disabled


def test_chain_order_spotify_then_reccobeats_and_csv_kept(fakes, config, store):
    sp, rb = fakes
    ids = library(store, 10)
    sp.features_enabled = True  # an older app that still gets audio features
    for i in ids[:3]:
        sp.audio_features[i] = {
            "id": i,
            "danceability": 0.1,
            "energy": 0.2,
            "tempo": 99.0,
            "key": 1,
            "mode": 1,
            "time_signature": 4,
        }
    rb.know(ids[:8])  # also knows the first three: Spotify must win for those
    store.tracks.upsert_features([Features(track_id=ids[8], provider="csv:exportify", energy=0.9)])
    result = lookup_features(store, chain(config))
    providers = {
        i: (store.tracks.get_features(i).provider if store.tracks.get_features(i) else None)
        for i in ids
    }
    assert providers == {
        **{i: SPOTIFY for i in ids[:3]},
        **{i: RECCOBEATS for i in ids[3:8]},
        ids[8]: "csv:exportify",
        ids[9]: None,
    }
    assert store.tracks.get_features(ids[0]).time_signature == 4
    assert store.tracks.get_features(ids[8]).energy == 0.9  # the CSV's value, untouched
    asked = sum(rb.id_batches(), [])
    assert sorted(asked) == sorted(ids[3:8] + [ids[9]])  # not the Spotify or CSV ones
    assert result.found == {SPOTIFY: 3, RECCOBEATS: 5}
    assert store.tracks.get_provider_state(SPOTIFY) == (True, None)


def test_misses_are_not_asked_again_unless_retry(fakes, config, store):
    sp, rb = fakes
    ids = library(store, 5)
    rb.know(ids[:2])
    lookup_features(store, chain(config))
    rb.clear_log()
    result = lookup_features(store, chain(config))
    assert rb.id_batches() == [] and (result.looked_up, result.without_features) == (0, 3)
    rb.know(ids[2:3])
    result = lookup_features(store, chain(config), retry=True)
    assert rb.id_batches() == [ids[2:]]
    assert result.found == {RECCOBEATS: 1}
    assert store.tracks.tracks_missed_by(RECCOBEATS) == set(ids[3:])


def test_reccobeats_429_and_5xx_are_handled(fakes, config, store):
    sp, rb = fakes
    ids = library(store, 120)
    rb.know(ids)
    rb.fail_next(429, retry_after=0.2)
    rb.fail_next(503, times=1)
    provs = [ReccoBeatsFeatures(reccobeats_http(config, backoff=0.01))]
    result = lookup_features(store, provs)
    assert result.found == {RECCOBEATS: 120}


def test_reccobeats_down_is_reported_not_fatal(fakes, config, store):
    sp, rb = fakes
    ids = library(store, 3)
    rb.fail_next(500, times=10)
    provs = [ReccoBeatsFeatures(reccobeats_http(config, backoff=0.01, retries=1))]
    result = lookup_features(store, provs)
    assert "ReccoBeats answered 500" in result.errors[RECCOBEATS]
    assert result.still_missing == 3
    assert store.tracks.tracks_missed_by(RECCOBEATS) == set()  # not recorded as unknown
    assert ids  # still in the library without features


def test_spotify_provider_alone(fakes, config, store):
    sp, _rb = fakes
    ids = library(store, 2)
    sp.features_enabled = True
    sp.audio_features[ids[0]] = {"id": ids[0], "energy": 0.5, "key": -1}
    prov = SpotifyAudioFeatures(SpotifyClient(config))
    result = lookup_features(store, [prov])
    assert result.found == {SPOTIFY: 1}
    assert store.tracks.get_features(ids[0]).key is None  # -1 means unknown


def test_cli_features_and_sync_runs_lookup(tmp_path, fakes):
    sp, rb = fakes
    ids = sp.add_tracks(45)
    sp.save(ids)
    rb.know(ids[:44])
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("SPOTUI_")}
    env.update(sp.env())
    env.update(
        SPOTUI_RECCOBEATS_URL=rb.url,
        SPOTUI_DATA_DIR=str(tmp_path / "d"),
        SPOTUI_CONFIG_DIR=str(tmp_path / "c"),
    )
    sp.write_token(tmp_path / "c" / "token.json")

    def run(*args):
        return run_cli(*args, env=env, timeout=60)

    done = run("sync", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["features"]["found"] == {RECCOBEATS: 44}
    assert data["features"]["still_missing"] == 1
    assert sorted(len(b) for b in rb.id_batches()) == [5, 40]
    done = run("features", "--json")
    assert json.loads(done.stdout)["looked_up"] == 0
    rb.know(ids[44:])
    done = run("features", "--retry")
    assert done.returncode == 0, done.stderr
    assert "1 from reccobeats" in done.stdout
