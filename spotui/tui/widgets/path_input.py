"""A path input that completes file and folder names as you type (→ or end accepts).

Why a suggester and not a file-tree dialog: over SSH and in small terminals typing a path
with completion is faster than walking a tree, and it works the same for a file to read
(import) and one to write (export)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import Input


def complete_path(value: str, suffixes: tuple[str, ...] = ()) -> str | None:
    """``value`` completed to the first (sorted) entry of its folder that starts with what
    was typed, "/" after a folder; files limited to ``suffixes`` when given. None if no
    entry matches. ``~`` stays as typed."""
    if not value:
        return None
    folder, slash, prefix = value.rpartition("/")
    where = Path(os.path.expanduser(folder)) if folder else Path("/" if slash else ".")
    try:
        entries = sorted(os.scandir(where), key=lambda e: e.name)
    except OSError:
        return None
    hidden = prefix.startswith(".")
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or name == prefix or (name[0] == "." and not hidden):
            continue
        is_dir = entry.is_dir()
        if not is_dir and suffixes and not name.lower().endswith(suffixes):
            continue
        return value + name[len(prefix) :] + ("/" if is_dir else "")
    return None


class PathSuggester(Suggester):
    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value, self.suffixes)


class PathInput(Input):
    """An :class:`Input` with :class:`PathSuggester` (``suffixes``: files to offer)."""

    def __init__(self, *, suffixes: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(suggester=PathSuggester(suffixes), **kwargs)
