"""SpotifyClient against the fake Spotify: paging, 429, 5xx, tokens, removed endpoints."""

from __future__ import annotations

import json
import socket
import time

import pytest

from spotui.http import HttpClient
from spotui.spotify.client import SpotifyClient
from spotui.spotify.errors import (
    LOGIN_EXPIRED,
    NOT_LOGGED_IN,
    NoActiveDevice,
    OfflineError,
    PremiumRequired,
    RateLimited,
    SpotifyAuthError,
    SpotifyHTTPError,
)
from tests.fakes import fake_config


def test_paginate_follows_absolute_next_links(fake, client):
    ids = fake.add_tracks(120)
    fake.save(ids)
    items = list(client.paginate("me/tracks"))
    assert [i["track"]["id"] for i in items] == ids
    calls = fake.calls("/v1/me/tracks")
    assert [(q.get("offset"), q["limit"]) for _m, _p, q, _b in calls] == [
        (None, "50"),  # first page as asked; the rest are the server's absolute next links
        ("50", "50"),
        ("100", "50"),
    ]
    assert client.request_count == 3


def test_page_limit_above_50_is_rejected_like_spotify(client):
    with pytest.raises(SpotifyHTTPError) as exc:
        client.get("me/tracks", {"limit": 100})
    assert exc.value.status == 400


def test_429_waits_retry_after_then_succeeds(fake, client):
    fake.fail_next(429, retry_after=0.4)
    start = time.monotonic()
    assert client.get("me")["id"] == "alice"
    assert time.monotonic() - start >= 0.4
    assert len(fake.calls("/v1/me")) == 2


def test_429_pauses_every_worker(fake, client):
    fake.fail_next(429, retry_after=0.5)
    jobs = [(i, "me", None) for i in range(8)]
    start = time.monotonic()
    results = dict(client.get_many(jobs, workers=4))
    assert sorted(results) == list(range(8))
    assert all(r["id"] == "alice" for r in results.values())
    assert time.monotonic() - start >= 0.5
    assert client.budget.waited > 0


def test_quota_exceeded_is_raised_not_slept(fake, client):
    fake.fail_next(429, retry_after=86000, reason="QUOTA_EXCEEDED", message="Too many requests")
    start = time.monotonic()
    with pytest.raises(RateLimited) as exc:
        client.get("me")
    assert time.monotonic() - start < 2
    assert exc.value.reason == "QUOTA_EXCEEDED"
    assert "quota" in str(exc.value) and "23.9 h" in str(exc.value)
    assert len(fake.calls("/v1/me")) == 1


def test_long_retry_after_is_raised_not_slept(fake, client):
    fake.fail_next(429, retry_after=600)
    with pytest.raises(RateLimited) as exc:
        client.get("me")
    assert exc.value.retry_after == 600
    assert "10 min" in str(exc.value)


def test_get_retried_on_5xx(fake, client):
    fake.fail_next(503, times=2)
    assert client.get("me")["id"] == "alice"
    assert len(fake.calls("/v1/me")) == 3


def test_get_gives_up_after_retries(fake, client):
    fake.fail_next(500, times=10)
    with pytest.raises(SpotifyHTTPError) as exc:
        client.get("me")
    assert exc.value.status == 500
    assert len(fake.calls("/v1/me")) == 4  # 1 + 3 retries


def test_post_is_not_retried_on_5xx(fake, client):
    fake.fail_next(502, path="/v1/me/playlists")
    with pytest.raises(SpotifyHTTPError) as exc:
        client.post("me/playlists", json={"name": "x", "public": False})
    assert exc.value.status == 502
    assert len(fake.calls("/v1/me/playlists", "POST")) == 1
    assert fake.playlists == {}


def test_post_resent_after_429_because_it_was_not_processed(fake, client):
    fake.fail_next(429, retry_after=0.1, path="/v1/me/playlists")
    body = client.post("me/playlists", json={"name": "Calm", "public": False})
    assert body["name"] == "Calm" and body["public"] is False
    assert len(fake.calls("/v1/me/playlists", "POST")) == 2
    assert [p["name"] for p in fake.playlists.values()] == ["Calm"]


def test_connection_error_is_offline_error(config):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http = HttpClient(f"http://127.0.0.1:{port}/v1", service="Spotify", backoff=0.01, retries=2)
    with pytest.raises(OfflineError) as exc:
        http.get("me")
    assert "Could not reach Spotify" in str(exc.value)
    assert http.request_count == 3


def test_expired_access_token_is_refreshed_once(fake, client, config):
    old = json.loads(config.token_path.read_text())["access_token"]
    client.get("me")
    fake.expire_tokens()
    assert client.get("me")["id"] == "alice"
    new = json.loads(config.token_path.read_text())
    assert new["access_token"] != old and "expires_at" in new and "refresh_token" in new
    assert oct(config.token_path.stat().st_mode & 0o777) == "0o600"
    assert len(fake.calls("/api/token", "POST")) == 1
    assert fake.calls("/api/token")[0][3]["grant_type"] == "refresh_token"


def test_token_past_expires_at_is_refreshed_before_the_call(fake, config):
    info = json.loads(config.token_path.read_text())
    info["expires_at"] = int(time.time()) - 10
    config.token_path.write_text(json.dumps(info))
    client = SpotifyClient(config)
    assert client.get("me")["id"] == "alice"
    assert [r[1] for r in fake.requests] == ["/api/token", "/v1/me"]


def test_invalid_grant_asks_to_log_in_again(fake, client):
    fake.expire_tokens()
    fake.revoke_refresh_tokens()
    with pytest.raises(SpotifyAuthError) as exc:
        client.get("me")
    assert str(exc.value) == LOGIN_EXPIRED


def test_not_logged_in(tmp_path, fake):
    client = SpotifyClient(fake_config(tmp_path, fake))
    with pytest.raises(SpotifyAuthError) as exc:
        client.get("me")
    assert str(exc.value) == NOT_LOGGED_IN
    assert fake.requests == []


def test_player_errors_are_typed(fake, client):
    fake.devices[0]["is_active"] = False
    with pytest.raises(NoActiveDevice):
        client.post("me/player/queue", params={"uri": "spotify:track:" + "a" * 22})
    fake.premium = False
    with pytest.raises(PremiumRequired) as exc:
        client.post("me/player/queue", params={"uri": "spotify:track:" + "a" * 22})
    assert "Premium" in str(exc.value)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("audio-features", {"ids": "a,b"}, 403),
        ("recommendations", {"seed_tracks": "a"}, 404),
        ("tracks", {"ids": "a,b"}, 403),
    ],
)
def test_removed_endpoints_answer_like_spotify(client, path, params, status):
    with pytest.raises(SpotifyHTTPError) as exc:
        client.get(path, params)
    assert exc.value.status == status


def test_old_playlist_tracks_endpoint_is_gone_but_items_work(fake, client):
    ids = fake.add_tracks(3)
    pid = fake.add_playlist("Mine", ids)
    with pytest.raises(SpotifyHTTPError) as exc:
        client.get(f"playlists/{pid}/tracks")
    assert exc.value.status == 403
    page = client.get(f"playlists/{pid}/items", {"limit": 50})
    assert [e["item"]["id"] for e in page["items"]] == ids


def test_fake_write_endpoints(fake, client):
    ids = fake.add_tracks(3)
    created = client.post("me/playlists", json={"name": "Export", "public": False})
    pid = created["id"]
    client.post(f"playlists/{pid}/items", json={"uris": [f"spotify:track:{i}" for i in ids]})
    assert fake.playlist_track_ids(pid) == ids
    client.put(f"playlists/{pid}/items", json={"uris": [f"spotify:track:{ids[0]}"]})
    assert fake.playlist_track_ids(pid) == ids[:1]
    with pytest.raises(SpotifyHTTPError) as exc:
        client.post(f"playlists/{pid}/items", json={"uris": ["spotify:track:" + "x" * 22] * 101})
    assert exc.value.status == 400
    assert client.get("me/player/devices")["devices"][0]["id"] == "dev-1"
    client.put("me/player", json={"device_ids": ["dev-1"], "play": False})
    client.post("me/player/queue", params={"uri": f"spotify:track:{ids[1]}"})
    assert fake.queue == [f"spotify:track:{ids[1]}"]


def test_403_on_me_explains_development_mode(fake, client):
    fake.fail_next(403, path="/v1/me", message="User not registered in the Developer Dashboard")
    with pytest.raises(SpotifyHTTPError) as exc:
        client.me()
    assert "User not registered" in str(exc.value)
    assert "Users Management" in str(exc.value) and "Premium" in str(exc.value)
