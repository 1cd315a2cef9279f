"""The ``[keys]`` table of config.toml checked against the one key table (ACTIONS).

Textual applies a keymap silently: an unknown binding id is ignored and a key taken twice
quietly drops one binding. spotui checks the user's table first and says, at start, which
ids are not actions and which new keys collide with another key that works in the same
place, so a remapped key never just "does nothing".
"""

from __future__ import annotations

from textual.keys import _normalize_key_list

from spotui.tui.actions import ACTIONS, MODAL_SCOPES, Action

#: Scopes whose keys are live at the same time on the main screen (one pane has focus).
_PANES = {"tracks", "clusters", "recs"}


def _together(a: str, b: str) -> bool:
    """Whether keys of scopes ``a`` and ``b`` can both be live at once."""
    if a == b or "app" in (a, b):
        return True
    if a in _PANES and b in _PANES:
        return False
    return {a, b} <= _PANES | {"main"}


def _keys(keys: str) -> list[str]:
    return [k for k in _normalize_key_list(keys).split(",") if k]


def check_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The usable part of ``keymap`` (normalised key names) and one message per problem:
    unknown ids, actions a widget handles itself, keys that clash with another action."""
    usable, problems = _usable(keymap)
    final: dict[str, tuple[Action, list[str]]] = {
        a.id: (a, _keys(usable.get(a.id, a.keys))) for a in ACTIONS
    }
    reported: set[frozenset[str]] = set()
    for action_id in usable:
        action, keys = final[action_id]
        keys = [k for k in keys if k not in _keys(action.keys)]  # defaults may overlap by design
        for other_id, (other, other_keys) in final.items():
            pair = frozenset((action_id, other_id))
            if other_id == action_id or pair in reported or not _can_clash(action, other):
                continue
            shared = sorted(set(keys) & set(other_keys))
            if shared:
                reported.add(pair)
                problems.append(
                    f"[keys] {action_id} and {other_id} both use {', '.join(shared)}; "
                    "only one of them will work"
                )
    return usable, problems


def _usable(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The remaps that name a bound action (keys normalised), and why the others are not."""
    by_id = {a.id: a for a in ACTIONS}
    usable: dict[str, str] = {}
    problems: list[str] = []
    for action_id, keys in keymap.items():
        action = by_id.get(action_id)
        if action is None:
            problems.append(f"[keys] {action_id!r} is not an action id (? lists them)")
        elif not action.bind:
            problems.append(f"[keys] {action_id!r} is handled by the pane itself; not remapped")
        else:
            usable[action_id] = _normalize_key_list(keys)
    return usable, problems


def _can_clash(action: Action, other: Action) -> bool:
    """Whether the two can be live at once: a modal screen's keys meet only its own and the
    app's; the others as :func:`_together` says."""
    if other.scope in MODAL_SCOPES and action.scope not in (other.scope, "app"):
        return False
    return _together(action.scope, other.scope)
