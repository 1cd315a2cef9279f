"""The one key table: every bound key runs a method that exists, on the object that owns
its scope (a renamed ``action_*`` method would otherwise make a key silently do nothing)."""

from __future__ import annotations

from spotui.tui.actions import ACTIONS, MODAL_SCOPES, SCOPE_TITLES, bindings_for
from spotui.tui.app import SpotuiApp
from spotui.tui.screens.confirm import ConfirmDialog, ExportDialog
from spotui.tui.screens.devices import DevicePicker
from spotui.tui.screens.help import HelpScreen
from spotui.tui.screens.login import LoginScreen
from spotui.tui.screens.main import MainScreen
from spotui.tui.screens.map import MapScreen
from spotui.tui.screens.resegment import ResegmentDialog
from spotui.tui.screens.setup import SetupScreen
from spotui.tui.screens.sync import SyncScreen
from spotui.tui.screens.welcome import ImportDialog, WelcomeScreen
from spotui.tui.widgets.cluster_list import ClusterList
from spotui.tui.widgets.recommendations import RecommendationList
from spotui.tui.widgets.track_table import TrackTable

OWNERS = {
    "app": SpotuiApp,
    "main": MainScreen,
    "map": MapScreen,
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
}


def test_every_scope_has_an_owner_and_a_title():
    assert {a.scope for a in ACTIONS} <= set(OWNERS)
    assert set(OWNERS) == set(SCOPE_TITLES) | set(MODAL_SCOPES)


def test_every_bound_action_resolves_to_a_method_of_its_scope():
    for action in ACTIONS:
        if not action.bind:
            continue
        method = "action_" + action.name.split("(", 1)[0]
        assert callable(getattr(OWNERS[action.scope], method, None)), (action.scope, method)


def test_each_owner_binds_exactly_its_scope_from_the_table():
    """No class keeps keys of its own outside the table (help and footer would miss them)."""
    for scope, owner in OWNERS.items():
        table = {(b.key, b.action) for b in bindings_for(scope)}
        own = owner.__dict__.get("BINDINGS")
        if own is None:  # a pane whose keys its Textual base class handles (bind=False rows)
            assert not table, scope
            continue
        assert {(b.key, b.action) for b in own} == table, scope
