"""Ambiguous writes in playlist export, against the fake Spotify with injected faults.

Each test ends by checking the exact playlists on the (fake) account and their exact
tracks: a create that failed after Spotify made the playlist must never leave an empty
orphan next to a full copy once the export is run again.
"""

from __future__ import annotations

import json
import shutil
import socket

import pytest

from spotui.config.env import Config
from spotui.export import (
    ExportIncomplete,
    ExportUncertain,
    export_marker,
    export_tracks,
    plan_export,
    read_outbox,
)
from spotui.http import OfflineError
from spotui.spotify.client import SpotifyClient
from spotui.spotify.errors import SpotifyHTTPError
from spotui.store import Store
from tests.export.test_playlists import ids, uris

PLAYLISTS = "/v1/me/playlists"
NAME = "spotui · Calm Acoustic"
TARGET = "cluster:7"
RECONCILE = (
    "it may exist on your account. Run the same export again to reconcile: spotui first "
    "looks among your playlists for the one whose description holds {marker}, and creates "
    "one only if there is none."
)


@pytest.fixture
def fake(fake):
    """The shared fake Spotify with 300 tracks to export."""
    fake.add_tracks(300)
    return fake


@pytest.fixture
def quick(config):
    """A client that gives up on an answer after 0.5 s (the fake hangs for 3 s)."""
    c = SpotifyClient(config, backoff=0.01, timeout=0.5)
    yield c
    c.close()


def export(client, store, config, tids, name=NAME, **kw):
    return export_tracks(client, store, config, TARGET, name, "Calm Acoustic: low", tids, **kw)


def marker(store, target=TARGET) -> str:
    return export_marker(store.exports.export_id(), target)


def account(fake) -> dict[str, list[str]]:
    """Every playlist on the account: name -> its track ids, in order."""
    return {fake.playlists[p]["name"]: fake.playlist_track_ids(p) for p in fake.playlist_order}


def sent(fake) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _, _ in fake.requests]


# ---------------------------------------------------------------------- create: no clear answer
@pytest.mark.parametrize("after", [True, False], ids=["502-after-acting", "502-before-acting"])
def test_create_answered_502_then_rerun_ends_with_one_full_playlist(
    fake, store, config, client, after
):
    tids = ids(250)
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=after)
    with pytest.raises(ExportUncertain) as exc:
        export(client, store, config, tids)
    m = marker(store)
    assert str(exc.value) == (
        f"Spotify answered 502 for POST {PLAYLISTS}: scripted failure — the request creating "
        f"the playlist “{NAME}” failed; " + RECONCILE.format(marker=m)
    )
    assert "nothing was lost" not in str(exc.value)
    assert account(fake) == ({NAME: []} if after else {})
    assert store.exports.get_export(TARGET) is None
    assert store.exports.get_pending_export(TARGET).marker == m

    fake.clear_log()
    result = export(client, store, config, tids)
    pid = result.playlist_id
    assert account(fake) == {NAME: tids}  # one playlist, every track, in order
    assert fake.playlists[pid]["public"] is False
    assert fake.playlists[pid]["description"] == f"Calm Acoustic: low {m}"
    assert store.exports.get_export(TARGET).playlist_id == pid
    assert store.exports.get_pending_export(TARGET) is None
    if after:  # found by its marker and filled; no second create
        assert result.reconciled and result.replaced and not result.created
        assert sent(fake) == [
            ("GET", PLAYLISTS),
            ("PUT", f"/v1/playlists/{pid}"),
            ("PUT", f"/v1/playlists/{pid}/items"),
            ("POST", f"/v1/playlists/{pid}/items"),
            ("POST", f"/v1/playlists/{pid}/items"),
        ]
        assert result.summary().splitlines()[0] == (
            f"Found “{NAME}”, which the interrupted export had created ({m}), and replaced "
            "its tracks with 250 tracks; it is private (5 requests)."
        )
    else:  # not there: created once
        assert result.created and not result.reconciled
        assert (
            sent(fake)
            == [("GET", PLAYLISTS), ("POST", PLAYLISTS)]
            + [("POST", f"/v1/playlists/{pid}/items")] * 3
        )
        assert result.summary().splitlines()[0] == (
            f"Created a private playlist “{NAME}” with 250 tracks, after finding no playlist "
            f"marked {m} (5 requests)."
        )
    # What was sent is the plan made from what the lookup learnt, request for request.
    assert result.requests[0].step == "find"
    expected = plan_export(
        pid if after else None, NAME, f"Calm Acoustic: low {m}", uris(tids), find=None
    )
    assert result.requests[1:] == [r.for_playlist(pid) for r in expected]


@pytest.mark.parametrize("after", [True, False], ids=["timeout-after-acting", "timeout-before"])
def test_create_timeout_says_it_may_exist_and_rerun_reconciles(fake, store, config, quick, after):
    tids = ids(120)
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=after, hang=3)
    with pytest.raises(ExportUncertain) as exc:
        export(quick, store, config, tids)
    assert str(exc.value) == (
        f"The request creating the playlist “{NAME}” timed out; "
        + RECONCILE.format(marker=marker(store))
    )
    assert len(fake.calls(PLAYLISTS, "POST")) == 1  # never repeated blindly
    assert account(fake) == ({NAME: []} if after else {})
    result = export(quick, store, config, tids)
    assert account(fake) == {NAME: tids}
    assert result.reconciled is after and result.created is not after
    assert len(fake.calls(PLAYLISTS, "POST")) == (1 if after else 2)


def test_lookup_pages_through_every_playlist(fake, store, config, client):
    for i in range(120):
        fake.add_playlist(f"Mine {i}", [])
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=True)
    with pytest.raises(ExportUncertain):
        export(client, store, config, ids(3))
    fake.clear_log()
    result = export(client, store, config, ids(3))
    assert result.reconciled
    assert fake.playlist_order[-1] == result.playlist_id  # on the third page
    assert [q.get("offset", "0") for _, _, q, _ in fake.calls(PLAYLISTS, "GET")] == [
        "0",
        "50",
        "100",
    ]
    assert len(fake.playlists) == 121 and fake.playlist_track_ids(result.playlist_id) == ids(3)


def test_dry_run_after_an_unanswered_create_shows_the_lookup(fake, store, config, client):
    fake.fail_next(504, path=PLAYLISTS, method="POST", after=True)
    with pytest.raises(ExportUncertain):
        export(client, store, config, ids(150))
    fake.clear_log()
    plan = export(client, store, config, ids(150), dry_run=True)
    m = marker(store)
    assert fake.requests == [] and plan.lookup == m
    lines = plan.summary().splitlines()
    assert lines == [
        "Would first look for the playlist an interrupted export may have created (its "
        f"description holds {m}): if it is there, set it private and replace its tracks with "
        f"150 tracks; if not, create a private playlist “{NAME}” and add 150 tracks "
        "(4 requests; dry run: nothing was sent):",
        f"  GET /me/playlists (every page; look for {m} in a description)",
        "  POST /me/playlists "
        + json.dumps(
            {
                "name": NAME,
                "public": False,
                "collaborative": False,
                "description": f"Calm Acoustic: low {m}",
            },
            ensure_ascii=False,
        ),
        "  POST /playlists/{new}/items (100 tracks)",
        "  POST /playlists/{new}/items (50 tracks)",
    ]
    assert len(fake.playlists) == 1  # the dry run found nothing out and changed nothing


def test_create_refused_is_not_pending(fake, store, config, client):
    """A 4xx means Spotify did not create it: no lookup next time, no 'may exist'."""
    fake.fail_next(403, path=PLAYLISTS, method="POST", message="Insufficient client scope")
    with pytest.raises(SpotifyHTTPError) as exc:
        export(client, store, config, ids(3))
    assert not isinstance(exc.value, ExportUncertain)
    assert str(exc.value) == (
        f"Spotify answered 403 for POST {PLAYLISTS}: Insufficient client scope"
    )
    assert store.exports.get_pending_export(TARGET) is None and account(fake) == {}
    plan = export(client, store, config, ids(3), dry_run=True)
    assert [r.step for r in plan.requests] == ["create", "add"]


def test_create_never_sent_says_nothing_changed(store, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = Config(
        data_dir=tmp_path / "d", config_dir=tmp_path / "c", api_url=f"http://127.0.0.1:{port}/v1"
    )
    client = SpotifyClient(cfg, tokens=_Token(), backoff=0.01)
    with pytest.raises(OfflineError) as exc:
        export(client, store, cfg, ids(3))
    assert not exc.value.maybe_sent
    assert str(exc.value) == (
        f"Could not reach Spotify (127.0.0.1:{port}): ConnectionError. Check your connection. "
        "The request was not sent; nothing was changed."
    )
    assert store.exports.get_pending_export(TARGET) is None


class _Token:
    def access_token(self) -> str:
        return "at-none"

    def force_refresh(self, failed: str) -> None:
        raise AssertionError("no refresh expected")


def test_each_library_looks_only_for_its_own_marker(fake, store, config, client, tmp_path):
    """Two libraries exporting cluster:7 to one account never adopt each other's playlist."""
    mine = export(client, store, config, ids(5)).playlist_id
    other = Store.open(tmp_path / "other.sqlite3")
    try:
        assert marker(other) != marker(store)
        fake.fail_next(502, path=PLAYLISTS, method="POST")  # before acting
        with pytest.raises(ExportUncertain):
            export(client, other, config, ids(7, start=50))
        theirs = export(client, other, config, ids(7, start=50)).playlist_id
    finally:
        other.close()
    assert theirs != mine
    assert fake.playlist_track_ids(mine) == ids(5)
    assert fake.playlist_track_ids(theirs) == ids(7, start=50)


# ---------------------------------------------------------------------- adding tracks
def test_add_failing_after_acting_then_rerun_is_exact(fake, store, config, client):
    tids = ids(250)
    fake.fail_next(502, path="/v1/playlists/", method="POST", after=True)
    with pytest.raises(ExportIncomplete) as exc:
        export(client, store, config, tids)
    assert "holds 0 or 100 of 250 tracks (Spotify may have added the last 100" in str(exc.value)
    assert account(fake) == {NAME: tids[:100]}  # it had acted
    export(client, store, config, tids)
    assert account(fake) == {NAME: tids}


def test_add_refused_says_exactly_how_many(fake, store, config, client):
    fake.fail_next(400, path="/v1/playlists/", method="POST", message="Invalid track uri")
    with pytest.raises(ExportIncomplete) as exc:
        export(client, store, config, ids(250))
    assert f"the playlist “{NAME}” exists but holds only 0 of 250 tracks. Run the same" in str(
        exc.value
    )


def test_replace_refused_keeps_previous_tracks(fake, store, config, client):
    pid = export(client, store, config, ids(5)).playlist_id
    fake.fail_next(400, path=f"/v1/playlists/{pid}/items", method="PUT")
    with pytest.raises(ExportIncomplete, match="it still holds its previous tracks"):
        export(client, store, config, ids(8, start=20))
    assert account(fake) == {NAME: ids(5)}
    export(client, store, config, ids(8, start=20))
    assert account(fake) == {NAME: ids(8, start=20)}


# ---------------------------------------------------------------------- re-export details
def test_reexport_applies_name_public_and_description(fake, store, config, client):
    pid = export(client, store, config, ids(5)).playlist_id
    plan = export(client, store, config, ids(6), name="Evenings", public=True, dry_run=True)
    assert plan.summary().splitlines()[0] == (
        f"Would rename “{NAME}” to “Evenings” ({pid}), replace its tracks with 6 tracks and set "
        "it public in 2 requests (dry run: nothing was sent):"
    )
    fake.clear_log()
    result = export(client, store, config, ids(6), name="Evenings", public=True)
    m = marker(store)
    assert fake.requests[0] == (
        "PUT",
        f"/v1/playlists/{pid}",
        {},
        {"name": "Evenings", "public": True, "description": f"Calm Acoustic: low {m}"},
    )
    pl = fake.playlists[pid]
    assert (pl["name"], pl["public"]) == ("Evenings", True)
    assert account(fake) == {"Evenings": ids(6)}
    assert result.summary().splitlines()[0] == (
        f"Renamed “{NAME}” to “Evenings” and replaced its tracks with 6 tracks; it is public "
        "(2 requests)."
    )
    assert store.exports.get_export(TARGET).name == "Evenings"
    again = export(client, store, config, ids(6), name="Evenings")
    assert fake.playlists[pid]["public"] is False and again.renamed_from is None
    assert again.summary().startswith(
        "Replaced the tracks of “Evenings” with 6 tracks; it is private (2 requests)."
    )


def test_demo_outbox_records_what_was_set(store, tmp_path):
    cfg = Config(
        data_dir=tmp_path / "d", config_dir=tmp_path / "c", demo=True, api_url="http://127.0.0.1:9"
    )
    first = export(None, store, cfg, ids(3))
    export(None, store, cfg, ids(4), name="Evenings", public=True)
    export(None, store, cfg, ids(4), name="Evenings")
    create, public, private = read_outbox(cfg)
    assert (create["kind"], create["public"], create["name"]) == ("playlist_create", False, NAME)
    assert public["kind"] == "playlist_replace" and public["public"] is True
    assert (public["name"], public["renamed_from"]) == ("Evenings", NAME)
    assert private["public"] is False and "renamed_from" not in private
    assert {e["playlist_id"] for e in (create, public, private)} == {first.playlist_id}
    assert public["description"] == f"Calm Acoustic: low {marker(store)}"


def test_offline_error_never_claims_nothing_was_lost_for_a_write(fake, quick):
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=True, hang=3)
    with pytest.raises(OfflineError) as exc:
        quick.post("me/playlists", json={"name": "x", "public": False})
    assert exc.value.maybe_sent
    assert str(exc.value).endswith(
        "did not answer: ReadTimeout. The request may have been carried out; it was not "
        "repeated, to avoid doing it twice."
    )
    assert len(fake.playlists) == 1


# ---------------------------------------------------------------------- the CLI
@pytest.fixture
def recommend_args(demo_data_dir, fake, tmp_path) -> tuple[str, ...]:
    """Logged in to the fake, with the demo library as the user's library: the arguments
    that export 30 recommendations for one of its tracks."""
    fake.write_token(tmp_path / "config" / "token.json")
    s = Store.open(demo_data_dir / "demo.sqlite3")
    seed = s.tracks.track_ids("library")[0]
    s.close()
    shutil.copy(demo_data_dir / "demo.sqlite3", demo_data_dir / "library.sqlite3")
    return ("export", "--recommend", "--track", seed, "-n", "30")


def test_cli_502_after_create_then_rerun(cli, fake, recommend_args):
    args = recommend_args
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=True)
    r = cli(*args, env=fake.env())
    assert r.returncode == 2
    assert "the request creating the playlist “spotui · Like " in r.stderr
    assert "it may exist on your account. Run the same export again to reconcile" in r.stderr
    assert "nothing was lost" not in r.stderr + r.stdout
    r = cli(*args, "--dry-run", env=fake.env())
    assert r.returncode == 0 and r.stdout.startswith("Would first look for the playlist")
    assert "  GET /me/playlists (every page; look for spotui:" in r.stdout
    r = cli(*args, "--json", env=fake.env())
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["reconciled"] and not data["created"] and data["track_count"] == 30
    (pl,) = fake.playlists.values()
    assert len(pl["entries"]) == 30 and pl["id"] == data["playlist_id"]


def test_cli_reexport_with_name_and_public(cli, fake, recommend_args):
    args = recommend_args
    assert cli(*args, env=fake.env()).returncode == 0
    r = cli(*args, "--name", "Evenings", "--public", env=fake.env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Renamed “spotui · Like ")
    assert "” to “Evenings” and replaced its tracks with 30 tracks; it is public" in r.stdout
    (pl,) = fake.playlists.values()
    assert (pl["name"], pl["public"], len(pl["entries"])) == ("Evenings", True, 30)


def test_rerun_with_another_name_renames_the_found_playlist(fake, store, config, client):
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=True)
    with pytest.raises(ExportUncertain):
        export(client, store, config, ids(3))
    result = export(client, store, config, ids(3), name="Evenings", public=True)
    assert account(fake) == {"Evenings": ids(3)}
    assert fake.playlists[result.playlist_id]["public"] is True
    assert result.summary().splitlines()[0] == (
        f"Found “{NAME}”, which the interrupted export had created ({marker(store)}), renamed "
        "it to “Evenings”, and replaced its tracks with 3 tracks; it is public (3 requests)."
    )


# ---------------------------------------------------------------------- the TUI
def test_tui_public_checkbox_applies_on_reexport(demo_app):
    from spotui.tui.widgets.cluster_list import ClusterList
    from tests.tui.pilot import export_summary, ready, settle, sync, wait_for

    async def export_first_cluster(pilot, *keys: str) -> str:
        pilot.app.screen.query_one(ClusterList).focus()
        await pilot.press("home", "down", "e")
        await wait_for(pilot, lambda: export_summary(pilot.app), what="the export dialog")
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        summary = str(pilot.app.screen.query_one("#export-summary").render())
        await pilot.press("enter")
        await settle(pilot)
        return summary

    @sync
    async def run():
        async with demo_app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            first = await export_first_cluster(pilot)
            second = await export_first_cluster(pilot, "p")
            return first, second

    first, second = run()
    assert "private" in first and "create a new playlist" in first
    assert "public" in second
    assert "set the name, privacy and description of the playlist exported before and" in second
    create, replace = read_outbox(demo_app.config)
    assert (create["kind"], create["public"]) == ("playlist_create", False)
    assert (replace["kind"], replace["public"]) == ("playlist_replace", True)
    assert replace["playlist_id"] == create["playlist_id"] and replace["uris"] == create["uris"]


def test_create_connection_dropped_after_acting(fake, store, config, client):
    fake.fail_next(502, path=PLAYLISTS, method="POST", after=True, drop=True)
    with pytest.raises(ExportUncertain) as exc:
        export(client, store, config, ids(3))
    assert str(exc.value) == (
        f"The request creating the playlist “{NAME}” got no answer (ConnectionError); "
        + RECONCILE.format(marker=marker(store))
    )
    assert len(fake.calls(PLAYLISTS, "POST")) == 1
    result = export(client, store, config, ids(3))
    assert result.reconciled and account(fake) == {NAME: ids(3)}


def test_store_keeps_export_id_and_pending_records(tmp_path):
    path = tmp_path / "lib.sqlite3"
    with Store.open(path) as s:
        first = s.exports.export_id()
        assert len(first) == 16 and s.exports.export_id() == first
        s.exports.set_pending_export("cluster:1", "Calm", "spotui:abc")
        s.exports.set_pending_export("cluster:2", "Other", "spotui:def")
    with Store.open(path) as s:
        assert s.exports.export_id() == first  # markers stay the same across runs
        assert (
            s.exports.get_pending_export("cluster:1").name,
            s.exports.get_pending_export("cluster:1").marker,
        ) == (
            "Calm",
            "spotui:abc",
        )
        s.exports.clear_pending_export("cluster:1")
        assert s.exports.get_pending_export("cluster:1") is None
        assert s.exports.get_pending_export("cluster:2").marker == "spotui:def"
