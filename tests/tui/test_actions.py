"""The one key table: every bound key runs a method that exists, on the object that owns
its scope (a renamed ``action_*`` method would otherwise make a key silently do nothing)."""

from __future__ import annotations

from spotui.tui.actions import ACTIONS, MODAL_SCOPES, SCOPE_TITLES, bindings_for
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.confirm import ConfirmDialog, ExportDialog
from spotui.tui.screens.devices import DevicePicker
from spotui.tui.screens.export_file import FileExportDialog
from spotui.tui.screens.help import HelpScreen
from spotui.tui.screens.login import LoginScreen
from spotui.tui.screens.main import MainScreen
from spotui.tui.screens.map import MapScreen
from spotui.tui.screens.order import OrderScreen, OrderTable
from spotui.tui.screens.rec_detail import RecDetailScreen
from spotui.tui.screens.resegment import ResegmentDialog
from spotui.tui.screens.setup import SetupScreen
from spotui.tui.screens.sync import SyncScreen
from spotui.tui.screens.welcome import ImportDialog, WelcomeScreen
from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.recommendations import RecommendationList
from spotui.tui.widgets.track_table import TrackTable
from tests import paths

OWNERS = {
    "app": SpotuiApp,
    "main": MainScreen,
    "map": MapScreen,
    "order": OrderScreen,
    "clusters": ClusterList,
    "tracks": TrackTable,
    "recs": RecommendationList,
    "welcome": WelcomeScreen,
    "sync": SyncScreen,
    "login": LoginScreen,
    "confirm": ConfirmDialog,
    "export_dialog": ExportDialog,
    "import_dialog": ImportDialog,
    "resegment": ResegmentDialog,
    "help": HelpScreen,
    "devices": DevicePicker,
    "setup": SetupScreen,
    "file_dialog": FileExportDialog,
    "rec_detail": RecDetailScreen,
}
#: The "lists" scope is bound by every list pane, on top of its own scope.
LISTS = (ClusterList, TrackTable, RecommendationList, OrderTable)


def test_every_scope_has_an_owner_and_a_title():
    assert {a.scope for a in ACTIONS} <= set(OWNERS) | {"lists"}
    assert set(OWNERS) | {"lists"} == set(SCOPE_TITLES) | set(MODAL_SCOPES)


def test_every_bound_action_resolves_to_a_method_of_its_scope():
    for action in ACTIONS:
        if not action.bind:
            continue
        method = "action_" + action.name.split("(", 1)[0]
        owners = LISTS if action.scope == "lists" else (OWNERS[action.scope],)
        for owner in owners:
            assert callable(getattr(owner, method, None)), (action.scope, owner, method)


def test_each_owner_binds_exactly_its_scope_from_the_table():
    """No class keeps keys of its own outside the table (help and footer would miss them)."""
    for scope, owner in OWNERS.items():
        table = {(b.key, b.action) for b in bindings_for(scope)}
        if owner in LISTS:
            table |= {(b.key, b.action) for b in bindings_for("lists")}
        own = owner.__dict__.get("BINDINGS")
        if own is None:  # a pane whose keys its Textual base class handles (bind=False rows)
            assert not table, scope
            continue
        assert {(b.key, b.action) for b in own} == table, scope


def test_no_key_is_bound_twice_in_one_place():
    """One key, one action per widget: a pane's keys plus the list keys never collide."""
    for scope, owner in OWNERS.items():
        keys = [k.strip() for b in owner.__dict__.get("BINDINGS") or [] for k in b.key.split(",")]
        assert len(keys) == len(set(keys)), (scope, keys)


def test_q_never_queues():
    """q quits or closes everywhere; queueing (irreversible) is on a and A only."""
    for action in ACTIONS:
        keys = {k.strip() for k in action.keys.split(",")}
        if "queue" in action.name:
            assert "q" not in keys and "Q" not in keys, action
        if "q" in keys:
            assert action.name in ("quit", "close", "cancel", "dismiss"), action


def test_readme_names_the_queue_keys_the_table_binds():
    """The README's No-repeats section said `q`/`Q` queue (they quit); the table binds a/A."""

    from spotui.tui.actions import ACTIONS

    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    keys = {a.name: a.keys for a in ACTIONS if a.scope == "main"}
    assert (keys["queue_track"], keys["queue_view"]) == ("a", "A")
    assert "Tracks you queued (`a`/`A` in the app, `spotui queue`)" in readme
    assert "`q`/`Q`" not in readme


def test_each_owner_declares_the_scopes_it_runs():
    """The palette finds who runs an action by the scopes a class declares (its ``SCOPES``,
    read by ``SpotuiApp._target``), not by class name or widget id; its keys come from the
    same declaration."""
    for scope, owner in OWNERS.items():
        assert scope in owner.SCOPES, (scope, owner)
        owned = {(b.key, b.action) for b in bindings_for(*owner.SCOPES)}
        assert owned == {(b.key, b.action) for b in owner.__dict__.get("BINDINGS") or []}
    for owner in LISTS:
        assert "lists" in owner.SCOPES, owner


def test_readme_names_the_order_key_and_every_sort_key():
    from spotui.tui.actions import ACTIONS
    from spotui.tui.rows import SORT_KEYS

    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    keys = {a.name: a.keys for a in ACTIONS if a.scope == "main"}
    assert keys["order"] == "o" and "| `o` | order that flows: preview the tracks shown" in readme
    assert (
        f"| `1`…`{len(SORT_KEYS)}` | sort by title, artists, energy, valence, danceability, acousticness, BPM, key"
        in readme
    )
    order = {a.name: a.keys for a in ACTIONS if a.scope == "order"}
    assert [order[f"arc('{a}')"] for a in ("steady", "build", "wind-down", "peak", "wave")] == list(
        "12345"
    )
    assert (
        order["first"],
        order["export"],
        order["queue_all"],
        order["export_file"],
        order["reorder"],
    ) == ("f", "e", "A", "x", "r")


def test_readme_keys_table_names_only_bound_keys():
    """Every single key the README's keys table lists is bound by the action table (the
    radio's `O` included), so the README cannot advertise a key that does nothing."""
    import re

    from spotui.tui.actions import ACTIONS

    readme = (paths.REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("| key | action |", 1)[1].split("\n\n", 1)[0]
    bound = {k.strip() for a in ACTIONS for k in a.keys.split(",")}
    bound |= {a.key_display for a in ACTIONS if a.key_display}
    named = {"esc": "escape", "del": "delete", "?": "question_mark", "/": "slash"}
    named |= {"Home": "home", "End": "end", "PgDn": "pagedown", "PgUp": "pageup"}
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        for key in re.findall(r"`([^`]+)`", first):
            if " " in key or "…" in key:
                continue  # ranges and groups ("1…7", "↑ ↓")
            assert named.get(key, key) in bound, (key, row[:60])
    radio = next(a for a in ACTIONS if a.name == "radio")
    assert f"| `{radio.keys}` | mood radio" in readme
