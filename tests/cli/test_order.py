"""``spotui order`` as a user runs it (subprocesses on --demo and against the fake Spotify),
and ``spotui export --order``: exactly that order in the file and in the playlist."""

from __future__ import annotations

import json
import shutil

import pytest

from spotui.cli.order import ARCS

STEP_KEYS = {
    "position", "track_id", "name", "artists", "tempo", "camelot", "key", "energy", "target",
    "transition_cost", "bpm_step", "key_distance", "in_library",
}  # fmt: skip


@pytest.fixture
def data_dir(segmented_demo, tmp_path):
    """A data dir whose demo library has its moods stored (no segmenting in each run)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    return data


def order_json(cli, *args: str, env=None) -> dict:
    r = cli(*args, "--json", env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_the_cli_names_the_solvers_arcs():
    from spotui.analysis.order.arcs import ARCS as SOLVER_ARCS

    assert ARCS == SOLVER_ARCS


def test_order_json_on_the_demo(cli, data_dir):
    data = order_json(cli, "--demo", "order", "--cluster", "0", "--arc", "build")
    assert data["kind"] == "order" and data["arc"] == "build" and data["start"] is None
    assert data["source"]["kind"] == "cluster" and data["source"]["id"] == 0
    assert data["title"] == f"Cluster 0 “{data['source']['name']}”"
    steps = data["steps"]
    assert len(steps) == data["track_count"] > 10
    assert all(set(s) == STEP_KEYS for s in steps)
    assert [s["position"] for s in steps] == list(range(1, len(steps) + 1))
    assert len({s["track_id"] for s in steps}) == len(steps)
    assert steps[0]["transition_cost"] is None
    costs = [s["transition_cost"] for s in steps[1:]]
    assert data["mean_transition"] == pytest.approx(sum(costs) / len(costs))
    assert 0 <= data["fit_error"] < 0.1 and data["total_cost"] > 0
    targets = [s["target"] for s in steps]
    assert targets == sorted(targets)  # a build's targets only rise
    assert set(data["curve"]) == {"energy", "arc", "lo", "hi"}
    # the same command again: the same order
    again = order_json(cli, "--demo", "order", "--cluster", "0", "--arc", "build")
    assert [s["track_id"] for s in again["steps"]] == [s["track_id"] for s in steps]


def test_order_table_and_start(cli, data_dir):
    data = order_json(cli, "--demo", "order", "--cluster", "1", "--arc", "peak")
    start = data["steps"][5]["track_id"]
    started = order_json(cli, "--demo", "order", "--cluster", "1", "--start", start)
    assert started["steps"][0]["track_id"] == start and started["arc"] == "steady"
    r = cli("--demo", "order", "--cluster", "1", "--arc", "peak")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].strip() == f"Cluster 1 “{data['source']['name']}” · peak"
    assert [h.strip() for h in lines[2].strip("┃").split("┃")] == [
        "#", "Track", "Artist", "BPM", "Key", "Energy", "Arc", "Cost",
    ]  # fmt: skip
    first = data["steps"][0]
    assert f"{first['camelot']} · {first['key']}" in lines[4]
    assert lines[-3] == f"energy {data['curve']['energy']}"
    assert lines[-2] == f"arc    {data['curve']['arc']}"
    assert lines[-1] == (
        f"total cost {data['total_cost']:.1f} · fit error {data['fit_error']:.3f} · "
        f"mean transition cost {data['mean_transition']:.2f}"
    )


def test_a_path_between_two_tracks(cli, data_dir):
    order = order_json(cli, "--demo", "order", "--cluster", "0")
    a, b = order["steps"][0]["track_id"], order["steps"][-1]["track_id"]
    data = order_json(cli, "--demo", "order", "--from", a, "--to", b, "-n", "7")
    ids = [s["track_id"] for s in data["steps"]]
    assert data["kind"] == "path" and len(ids) == 7 == len(set(ids))
    assert ids[0] == a and ids[-1] == b
    r = cli("--demo", "order", "--from", a, "--to", b, "-n", "7", "--library-only")
    assert r.returncode == 0, r.stderr
    assert "(new)" not in r.stdout and r.stdout.splitlines()[-1].startswith("mean transition cost ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "a"], "error: --from A and --to B go together: a path needs both ends."),
        (
            ["--from", "a", "--to", "b", "--arc", "build"],
            "error: a path walks from A to B; --arc and --start are for ordering tracks.",
        ),
        (
            ["--cluster", "0", "-n", "5"],
            "error: -n and --library-only are for a path (--from A --to B).",
        ),
        (
            ["--cluster", "0", "--apply"],
            "error: --apply reorders a playlist in place: it needs --playlist ID.",
        ),
        (
            ["--playlist", "p", "--dry-run"],
            "error: --dry-run shows what --apply would send; add --apply.",
        ),
    ],
)
def test_usage_errors(cli, args, message):
    r = cli("--demo", "order", *args)
    assert r.returncode == 2 and r.stderr.strip() == message


def test_unknown_cluster_and_start(cli, data_dir):
    r = cli("--demo", "order", "--cluster", "99")
    assert r.returncode == 2 and "There is no cluster 99" in r.stderr
    r = cli("--demo", "order", "--cluster", "0", "--start", "0" * 22)
    assert r.returncode != 0
    assert (
        r.stderr.strip() == f"error: The start track {'0' * 22} is not among the tracks to order."
    )


def test_reorder_a_demo_playlist_dry_run_then_outbox(cli, data_dir):
    pid = "demoplaylist0000000000"
    r = cli("--demo", "order", "--playlist", pid, "--arc", "wind-down", "--apply", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == (
        f"Would reorder the 118 tracks of “Sunday Morning” ({pid}) into the wind-down order "
        "in 2 requests (replacing its items) (dry run: nothing was sent):"
    )
    assert not (data_dir / "demo-outbox.jsonl").exists()
    data = order_json(cli, "--demo", "order", "--playlist", pid, "--arc", "wind-down", "--apply")
    assert data["demo"] and data["strategy"] == "replace" and not data["unchanged"]
    expected = order_json(cli, "--demo", "order", "--playlist", pid, "--arc", "wind-down")
    assert data["order"] == [s["track_id"] for s in expected["steps"]]
    (line,) = (data_dir / "demo-outbox.jsonl").read_text().splitlines()
    assert json.loads(line)["uris"] == [f"spotify:track:{t}" for t in data["order"]]
    r = cli("--demo", "order", "--playlist", pid, "--arc", "wind-down", "--apply")
    assert r.stdout.strip() == (
        f"“Sunday Morning” ({pid}) is already in the wind-down order; nothing to write."
    )


def test_export_order_writes_exactly_that_order_to_the_file(cli, data_dir, tmp_path):
    expected = order_json(cli, "--demo", "order", "--cluster", "0", "--arc", "wave")
    out = tmp_path / "wave.m3u"
    r = cli("--demo", "export", "--cluster", "0", "--order", "wave", "--out", str(out))
    assert r.returncode == 0, r.stderr
    links = [x for x in out.read_text(encoding="utf-8").splitlines() if x.startswith("https:")]
    assert links == [f"https://open.spotify.com/track/{s['track_id']}" for s in expected["steps"]]
    r = cli(
        "--demo",
        "export",
        "--all",
        "--order",
        "wave",
        "--format",
        "m3u",
        "--out",
        str(tmp_path / "all"),
    )
    assert r.returncode == 0, r.stderr
    (first,) = (tmp_path / "all").glob("00-*.m3u")
    assert first.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_export_order_puts_exactly_that_order_in_the_playlist(cli, data_dir, fake, tmp_path):
    fake.write_token(tmp_path / "config" / "token.json")
    shutil.copy(data_dir / "demo.sqlite3", data_dir / "library.sqlite3")  # the user's library
    env = fake.env()
    expected = order_json(cli, "order", "--cluster", "2", "--arc", "peak", env=env)
    r = cli("export", "--cluster", "2", "--order", "peak", "--json", env=env)
    assert r.returncode == 0, r.stderr
    pid = json.loads(r.stdout)["playlist_id"]
    assert fake.playlist_track_ids(pid) == [s["track_id"] for s in expected["steps"]]
    r = cli("export", "--recommend", "--playlist", pid, "--order", "peak", env=env)
    assert r.returncode == 2 and r.stderr.strip() == (
        "error: --order orders what is exported; to reorder a playlist of yours in place run "
        "`spotui order --playlist ID --arc ARC --apply`."
    )


def test_completion_offers_order_and_its_arcs(cli):
    from tests.cli.test_completion import complete

    script = cli("completion", "bash").stdout
    assert "order" in complete(script, "or")
    assert complete(script, "order", "--arc", "") == list(ARCS)
    assert "--arc" in complete(script, "order", "--a")
