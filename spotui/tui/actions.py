"""The one table of what spotui can do from the keyboard.

Every key binding, the footer, the help screen (``?``) and the command palette (ctrl+p)
are generated from :data:`ACTIONS`, so adding a key is one line here plus the
``action_<name>`` method on the class that owns the scope, and the help can never list a
key that does not exist.

Scopes say which object runs the action (and so where the key works):
``app`` everywhere, ``main`` on the main screen, ``lists`` in every list pane (the
clusters, tracks and recommendations widgets all bind it), ``tracks`` / ``clusters`` /
``recs`` while that pane has focus, ``map`` on the mood map, and one scope per modal
screen or dialog (:data:`MODAL_SCOPES`).

Why queueing is on ``a``/``A`` and ``q`` quits: a queued track cannot be taken back (the
Web API has no "remove from queue"), and in ncspot, spotify-player, lazygit or k9s ``q``
quits or closes; a key muscle memory presses to leave must never send anything. Entries with ``bind=False`` are keys a Textual widget
already handles (arrows, enter); they are listed for the help screen only. A test checks
that every bound action names an ``action_*`` method of its scope's class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.binding import Binding

from spotui.tui.rows import SORT_LABELS


@dataclass(frozen=True, slots=True)
class Action:
    scope: str
    name: str  # the action string run on the scope's object, e.g. "sort('energy')"
    keys: str  # Textual key names, comma-separated
    description: str  # short, for the footer and the palette title
    help: str = ""  # one sentence, for the help screen and the palette
    show: bool = False  # in the footer
    bind: bool = True  # False: handled by a widget already, documented only
    palette: bool = True  # offered in the command palette
    key_display: str | None = None
    priority: bool = False
    short_id: str | None = None  # for the id, when the action string has arguments

    @property
    def id(self) -> str:
        """The id that remaps this action in config.toml's ``[keys]`` table, e.g.
        ``main.export`` or ``main.sort_energy`` (Textual's binding id)."""
        name = self.short_id or re.sub(r"[^\w-]+", "_", self.name).strip("_")
        return f"{self.scope}.{name}"


SCOPE_TITLES: dict[str, str] = {
    "app": "Everywhere",
    "main": "Main screen",
    "lists": "Every list (clusters, tracks, recommendations)",
    "clusters": "Clusters pane",
    "tracks": "Tracks pane",
    "recs": "Recommendations pane",
    "map": "Mood map",
    "order": "Order that flows (o)",
}


ACTIONS: tuple[Action, ...] = (
    # ---- everywhere
    Action("app", "help", "question_mark", "Help", "List every key.", show=True, key_display="?"),
    Action(
        "app",
        "command_palette",
        "ctrl+p",
        "Commands",
        "Search every action by name.",
        bind=False,
        palette=False,
    ),  # fmt: skip
    Action("app", "change_theme", "ctrl+t", "Theme", "Pick a colour theme."),
    Action(
        "app",
        "sync",
        "s",
        "Sync",
        "Fetch your Spotify library (progress, cancel with escape).",
        show=True,
    ),  # fmt: skip
    Action(
        "app", "quit", "ctrl+q", "Quit", "Leave spotui; everything is already saved.", priority=True
    ),  # fmt: skip
    # ---- main screen
    Action("main", "quit", "q", "Quit", "Leave spotui (same as ctrl+q).", palette=False),
    Action(
        "main",
        "focus_next_pane",
        "tab,l",
        "Next pane",
        "Move focus to the next pane.",
        key_display="tab l",
    ),  # fmt: skip
    Action(
        "main",
        "focus_previous_pane",
        "shift+tab,h",
        "Previous pane",
        "Move focus to the previous pane.",
        key_display="shift+tab h",
    ),  # fmt: skip
    Action(
        "main",
        "filter",
        "slash",
        "Filter",
        "Filter tracks by title or artist as you type.",
        show=True,
        key_display="/",
    ),  # fmt: skip
    Action(
        "main",
        "clear_filter",
        "escape",
        "Clear filter",
        "Clear the filter and close it; with no filter, stop the radio.",
        palette=False,
    ),  # fmt: skip
    *(
        Action(
            "main",
            f"sort('{key}')",
            str(i + 1),
            f"Sort by {label}",
            f"Sort tracks by {label.lower()}; press again to reverse.",
        )  # fmt: skip
        for i, (key, label) in enumerate(SORT_LABELS.items())
    ),
    Action(
        "main",
        "export",
        "e",
        "Export",
        "Export the cluster or map selection shown (filter applied) as a private playlist, "
        "or add 20 recommendations to the highlighted playlist of yours (shows the plan first).",
        show=True,
    ),  # fmt: skip
    Action(
        "main",
        "export_file",
        "x",
        "Export file",
        "Write the tracks shown (filter applied) to a CSV, M3U or JSON file.",
        show=True,
    ),  # fmt: skip
    Action(
        "main",
        "import_csv",
        "i",
        "Import CSV",
        "Import an Exportify, Kaggle or plain CSV into your library.",
    ),  # fmt: skip
    Action("main", "queue_track", "a", "Add to queue", "Queue the highlighted track on Spotify."),
    Action(
        "main",
        "queue_view",
        "A",
        "Queue tracks shown",
        "Queue every track shown (cluster, map selection or filter); asks first above a few.",
    ),  # fmt: skip
    Action(
        "main",
        "toggle_new_only",
        "n",
        "New only",
        "Recommend only tracks that are not in your library yet.",
        show=True,
    ),  # fmt: skip
    Action(
        "main",
        "toggle_discover",
        "D",
        "Discover",
        "Recommend new tracks ReccoBeats proposes, ranked by spotui (offline demo set in --demo).",
        show=True,
    ),  # fmt: skip
    Action(
        "main",
        "resegment",
        "r",
        "Remake moods",
        "Make the moods again: choose k (it then stays chosen) or auto, and the method.",
        show=True,
    ),  # fmt: skip
    Action("main", "mood_map", "m", "Mood map", "A 2-D map of your library by mood.", show=True),
    Action(
        "main",
        "order",
        "o",
        "Order that flows",
        "Preview the tracks shown (mood, playlist, selection or filter) in an order whose energy "
        "follows an arc, with smooth BPM and key steps; export, queue or reorder it from there.",
        show=True,
    ),  # fmt: skip
    Action(
        "main",
        "for_you",
        "f",
        "For you",
        "Recommendations from your top and recent tracks, one mood cluster at a time "
        "(press again for the next).",
    ),  # fmt: skip
    Action(
        "main",
        "devices",
        "d",
        "Devices",
        "Choose the Spotify device to play and queue on (moves playback there).",
    ),
    Action(
        "main",
        "radio",
        "O",
        "Radio",
        "Start a mood radio on the highlighted mood, track, playlist, map selection or "
        "“for you” list: it keeps 3 tracks queued in that mood; press again (or esc) to stop.",
    ),  # fmt: skip
    Action(
        "main",
        "radio_skip",
        "delete",
        "Radio: skip",
        "Mark the radio's playing track as a skip: never queued again, and the radio "
        "leans away from it (skip it in Spotify to move on).",
        key_display="del",
    ),  # fmt: skip
    Action(
        "main",
        "refresh_playback",
        "R",
        "Now playing",
        "Ask Spotify again which device is active and what plays (never polled).",
    ),
    Action(
        "main",
        "resize('clusters',-4)",
        "less_than_sign",
        "Narrower clusters",
        "Make the clusters pane narrower (remembered).",
        short_id="clusters_narrower",
        key_display="<",
    ),
    Action(
        "main",
        "resize('clusters',4)",
        "greater_than_sign",
        "Wider clusters",
        "Make the clusters pane wider (remembered).",
        short_id="clusters_wider",
        key_display=">",
    ),
    Action(
        "main",
        "resize('bottom',5)",
        "plus",
        "Taller detail",
        "Give the detail and recommendations panes more rows (remembered).",
        short_id="detail_taller",
        key_display="+",
    ),
    Action(
        "main",
        "resize('bottom',-5)",
        "minus",
        "Shorter detail",
        "Give the tracks list more rows (remembered).",
        short_id="detail_shorter",
        key_display="-",
    ),
    # ---- every list pane (bound on the clusters, tracks and recommendations widgets)
    *(
        Action("lists", name, keys, desc, help, palette=False, key_display=shown)
        for name, keys, shown, desc, help in (
            ("cursor_down", "j", "j", "Down", "Move down (also ↓)."),
            ("cursor_up", "k", "k", "Up", "Move up (also ↑)."),
            ("first", "g,home", "g Home", "First", "Jump to the first entry."),
            ("last", "G,end", "G End", "Last", "Jump to the last entry."),
            ("page_down", "ctrl+d", "ctrl+d", "Page down", "Move a page down (also PgDn)."),
            ("page_up", "ctrl+u", "ctrl+u", "Page up", "Move a page up (also PgUp)."),
        )
    ),
    # ---- panes (documented keys that the widgets handle themselves)
    Action(
        "clusters",
        "select",
        "up,down",
        "Choose cluster",
        "The tracks and recommendations follow the highlighted cluster.",
        bind=False,
        palette=False,
        key_display="↑↓",
    ),  # fmt: skip
    Action(
        "tracks",
        "select",
        "up,down,pageup,pagedown",
        "Move",
        "The detail and recommendations follow the highlighted track.",
        bind=False,
        palette=False,
        key_display="↑↓ PgUp PgDn",
    ),  # fmt: skip
    Action(
        "tracks",
        "choose",
        "enter",
        "Select",
        "Select the track and jump to its recommendations.",
        bind=False,
        palette=False,
    ),  # fmt: skip
    Action(
        "recs",
        "open_detail",
        "enter",
        "Why?",
        "Open the recommendation: the full reason and its features against the seed's.",
        show=True,
        palette=False,
    ),  # fmt: skip
    Action(
        "recs",
        "queue_one",
        "a",
        "Queue recommendation",
        "Queue the highlighted recommendation.",
        show=True,
    ),  # fmt: skip
    Action(
        "recs",
        "queue_all",
        "A",
        "Queue recommendations",
        "Queue every recommendation shown; asks first above a few.",
        show=True,
    ),  # fmt: skip
    Action(
        "recs",
        "skip_one",
        "delete,backspace",
        "Skip",
        "Not this one: hide the highlighted recommendation and do not offer it for 30 days "
        "(u undoes it).",
        show=True,
        key_display="del",
    ),  # fmt: skip
    Action(
        "main",
        "undo_skip",
        "u",
        "Undo skip",
        "Take back the last skip: the track can be recommended again and is shown again.",
    ),  # fmt: skip
    # ---- mood map
    Action("map", "move(0,-1)", "up", "Up", "Move the cursor.", palette=False, key_display="↑"),
    Action(
        "map", "move(0,1)", "down", "Down", "Move the cursor.", palette=False, key_display="↓"
    ),  # fmt: skip
    Action(
        "map", "move(-1,0)", "left", "Left", "Move the cursor.", palette=False, key_display="←"
    ),  # fmt: skip
    Action(
        "map", "move(1,0)", "right", "Right", "Move the cursor.", palette=False, key_display="→"
    ),  # fmt: skip
    Action("map", "move(0,-5)", "shift+up", "Up ×5", "Move the cursor faster.", palette=False),
    Action("map", "move(0,5)", "shift+down", "Down ×5", "Move the cursor faster.", palette=False),
    Action("map", "move(-5,0)", "shift+left", "Left ×5", "Move the cursor faster.", palette=False),
    Action(
        "map", "move(5,0)", "shift+right", "Right ×5", "Move the cursor faster.", palette=False
    ),  # fmt: skip
    Action(
        "map",
        "mark",
        "space",
        "Mark corner",
        "Start a rectangle at the cursor; press again to select the tracks inside.",
        show=True,
        key_display="space",
    ),  # fmt: skip
    Action("map", "zoom_next", "z", "Zoom cluster", "Zoom to the next cluster.", show=True),
    Action("map", "zoom_reset", "0", "Whole map", "Zoom out to the whole library.", show=True),
    Action(
        "map",
        "toggle_view",
        "p",
        "Mood/texture",
        "Switch between the mood view (valence × energy) and the texture view (PCA).",
        show=True,
    ),
    Action(
        "map",
        "export",
        "e",
        "Export selection",
        "Export the selected tracks as a private playlist (shows the plan first).",
        show=True,
    ),  # fmt: skip
    Action(
        "map",
        "queue_selection",
        "A",
        "Queue selection",
        "Queue the selected tracks; asks first above a few.",
    ),  # fmt: skip
    Action(
        "map",
        "list_selection",
        "l",
        "List selection",
        "Show the selected tracks on the main screen, like a cluster.",
        show=True,
    ),  # fmt: skip
    # ---- the order preview (o)
    Action(
        "order",
        "close",
        "escape,q",
        "Back",
        "Back to the main screen.",
        show=True,
        key_display="esc",
    ),  # fmt: skip
    *(
        Action("order", f"arc('{arc}')", str(i + 1), f"Arc: {arc}", f"Order along {why}.")
        for i, (arc, why) in enumerate(
            (
                ("steady", "the mood's median energy: only smoothness decides"),
                ("build", "a rising energy, calmest to most energetic"),
                ("wind-down", "a falling energy, most energetic to calmest"),
                ("peak", "up to the most energetic at 60% of the way, then down"),
                ("wave", "an energy that rises and falls, a cycle every ~15 tracks"),
            )
        )
    ),
    Action(
        "order",
        "export",
        "e",
        "Export",
        "Export the tracks in this order as a private playlist (shows the plan first).",
        show=True,
    ),  # fmt: skip
    Action(
        "order",
        "queue_all",
        "A",
        "Queue all",
        "Queue the tracks in this order; asks first above a few.",
        show=True,
    ),  # fmt: skip
    Action(
        "order",
        "export_file",
        "x",
        "Export file",
        "Write the tracks in this order to a CSV, M3U or JSON file.",
        show=True,
    ),  # fmt: skip
    Action(
        "order",
        "reorder",
        "r",
        "Reorder playlist",
        "Put your playlist itself in this order on Spotify (shows the requests first).",
        show=True,
    ),  # fmt: skip
    Action(
        "order",
        "first",
        "f",
        "First track",
        "Begin with the highlighted track (again on it: no fixed first track).",
        show=True,
    ),  # fmt: skip
    Action(
        "map",
        "close",
        "escape,m,q",
        "Back",
        "Back to the main screen.",
        show=True,
        key_display="esc",
    ),  # fmt: skip
)


#: Scopes of modal screens and dialogs: bound from the table like the rest, but their keys
#: are on their buttons, so the help screen (which lists SCOPE_TITLES) leaves them out.
MODAL_SCOPES: dict[str, str] = {
    "welcome": "Welcome screen",
    "sync": "Sync",
    "login": "Log in",
    "confirm": "Confirm",
    "export_dialog": "Export dialog",
    "file_dialog": "Export to a file",
    "rec_detail": "Recommendation",
    "import_dialog": "Import dialog",
    "resegment": "Remake moods dialog",
    "help": "Help",
    "devices": "Device picker",
    "setup": "Spotify setup",
}


def _modal(scope: str, name: str, keys: str, description: str, help: str, **kw) -> Action:
    """A modal screen's key: shown in its key bar (if it has one), not in the palette."""
    return Action(scope, name, keys, description, help, show=True, palette=False, **kw)


MODAL_ACTIONS: tuple[Action, ...] = (
    _modal("welcome", "login", "l", "Log in", "Log in with Spotify, then sync."),
    _modal("welcome", "import_csv", "i", "Import CSV", "Import an Exportify, Kaggle or plain CSV."),
    _modal("welcome", "demo", "d", "Demo", "Open the built-in demo library."),
    _modal("sync", "cancel", "escape", "Cancel / close", "Stop after the current page; close.",
           key_display="esc"),
    _modal("login", "cancel", "escape", "Cancel", "Stop waiting for the browser.",
           key_display="esc"),
    _modal("login", "copy_url", "c", "Copy URL",
           "Copy the login URL to the clipboard (OSC 52: works over SSH in most terminals)."),
    _modal("setup", "cancel", "escape", "Cancel", "Store nothing.", key_display="esc"),
    _modal("confirm", "cancel", "escape,q", "Cancel", "Do nothing.", key_display="esc"),
    _modal("confirm", "confirm", "y", "Yes", "Go ahead."),
    _modal("export_dialog", "cancel", "escape,q", "Cancel", "Export nothing.", key_display="esc"),
    _modal("file_dialog", "cancel", "escape", "Cancel", "Write nothing.", key_display="esc"),
    _modal("rec_detail", "dismiss", "escape,q,enter", "Close", "Back to the list.",
           key_display="esc"),
    _modal("rec_detail", "queue", "a", "Add to queue", "Queue this recommendation."),
    _modal("export_dialog", "toggle_public", "p", "Public", "Make the playlist public, or not."),
    _modal("import_dialog", "cancel", "escape", "Cancel", "Import nothing.", key_display="esc"),
    _modal("resegment", "cancel", "escape", "Cancel", "Keep the moods as they are."),
    _modal("devices", "cancel", "escape", "Cancel", "Keep playback where it is.",
           key_display="esc"),
    _modal("devices", "reload", "r", "Reload", "Ask Spotify for the devices again."),
    _modal("help", "dismiss", "escape,question_mark,q", "Close", "Close the help.",
           key_display="esc"),
)  # fmt: skip

ACTIONS += MODAL_ACTIONS


def actions_for(scope: str) -> list[Action]:
    return [a for a in ACTIONS if a.scope == scope]


def bindings_for(*scopes: str) -> list[Binding]:
    """Textual bindings for the scopes a class owns (its ``SCOPES``), from the table."""
    return [
        Binding(
            a.keys,
            a.name,
            a.description,
            show=a.show,
            key_display=a.key_display,
            priority=a.priority,
            id=a.id,
        )
        for scope in scopes
        for a in actions_for(scope)
        if a.bind
    ]


def display_keys(action: Action, keymap: dict[str, str] | None = None) -> str:
    """How a key is written on the help screen ("ctrl+p", "1", "↑↓"); a key remapped in
    config.toml (``keymap``) shows the user's key."""
    if keymap and action.id in keymap:
        return " ".join(k.strip() for k in keymap[action.id].split(","))
    if action.key_display:
        return action.key_display
    return " ".join(k.strip() for k in action.keys.split(","))
