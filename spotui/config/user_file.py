"""What the user chose and spotui remembers in ``config.toml``: the ``[ui]`` table (theme,
sort, new-only, pane sizes), the ``[keys]`` table (remapped actions) and the client id.

Why edit the file's text instead of re-serialising it: config.toml is the user's file, with
their comments and layout; stdlib ``tomllib`` only reads. Only the one table (or line)
that changed is replaced, the result is parsed again and compared with what was there
(every other value must be unchanged) before it atomically replaces the old file, so an
edit can never lose or corrupt a setting. If that check fails, nothing is written and the
user is told to edit the file by hand.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from spotui.config.env import Config
from spotui.core.errors import ConfigError

CLIENT_ID_RE = re.compile(r"^[0-9a-fA-F]{32}$")
#: Pane sizes the layout can show at 80x24 and still fit (columns, percent of the rows).
CLUSTERS_WIDTH = (16, 80)
BOTTOM_HEIGHT = (20, 80)


@dataclass
class UiSettings:
    """The ``[ui]`` table; None means "spotui's default"."""

    theme: str | None = None
    sort: str | None = None
    sort_descending: bool = False
    new_only: bool = False
    clusters_width: int | None = None
    bottom_height: int | None = None

    def as_toml(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _bounded(name: str, value: Any, bounds: tuple[int, int], problems: list[str]) -> int | None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"[ui] {name} must be a whole number, got {value!r}; using the default")
        return None
    clamped = min(max(value, low), high)
    if clamped != value:
        problems.append(f"[ui] {name} = {value} is outside {low}..{high}; using {clamped}")
    return clamped


def load_ui(config: Config, sort_keys: tuple[str, ...] = ()) -> tuple[UiSettings, list[str]]:
    """The ``[ui]`` settings and a list of problems (each names the key and what was used
    instead): a wrong value never stops spotui from starting."""
    raw = config.extra.get("ui", {})
    problems: list[str] = []
    if not isinstance(raw, dict):
        return UiSettings(), [f"[ui] in {config.config_path} must be a table; ignored"]
    known = {f.name for f in fields(UiSettings)}
    problems += [f"[ui] {k} is not a setting; ignored" for k in raw if k not in known]
    s = UiSettings()
    if isinstance(raw.get("theme"), str):
        s.theme = raw["theme"]
    s.sort = _ui_sort(raw.get("sort"), sort_keys, problems)
    for flag in ("sort_descending", "new_only"):
        value = raw.get(flag, False)
        if isinstance(value, bool):
            setattr(s, flag, value)
        else:
            problems.append(f"[ui] {flag} must be true or false, got {value!r}; ignored")
    for name, bounds in (("clusters_width", CLUSTERS_WIDTH), ("bottom_height", BOTTOM_HEIGHT)):
        if name in raw:
            setattr(s, name, _bounded(name, raw[name], bounds, problems))
    return s, problems


def _ui_sort(sort: Any, sort_keys: tuple[str, ...], problems: list[str]) -> str | None:
    """Only a sort the table offers (any text when the caller names none)."""
    if sort is None:
        return None
    if isinstance(sort, str) and (not sort_keys or sort in sort_keys):
        return sort
    problems.append(f"[ui] sort = {sort!r} is not one of {', '.join(sort_keys)}; ignored")
    return None


def load_keys(config: Config) -> tuple[dict[str, str], list[str]]:
    """The ``[keys]`` table as ``{action id: "key,key"}`` and the entries that are not
    strings (or lists of strings)."""
    raw = config.extra.get("keys", {})
    if not isinstance(raw, dict):
        return {}, [f"[keys] in {config.config_path} must be a table; ignored"]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for action_id, keys in raw.items():
        text = _keys_text(keys)
        if text is None:
            problems.append(f'[keys] {action_id} must be a key name such as "a" or "ctrl+a"')
            continue
        keymap[action_id] = text
    return keymap, problems


def _keys_text(keys: Any) -> str | None:
    """``"a, ctrl+a"`` or ``["a", "ctrl+a"]`` as ``"a,ctrl+a"``; None for anything else."""
    if isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys):
        keys = ",".join(keys)
    if not isinstance(keys, str) or not keys.strip():
        return None
    return ",".join(k.strip() for k in keys.split(",") if k.strip())


def save_ui(config: Config, settings: UiSettings) -> None:
    """Write the ``[ui]`` table, leaving the rest of config.toml as it was."""
    _edit(config.config_path, lambda text: _replace_table(text, "ui", settings.as_toml()), "ui")


def check_client_id(text: str) -> str:
    """The client id from what the user pasted (spaces and quotes trimmed), or why not."""
    value = text.strip().strip("'\"").strip()
    if not CLIENT_ID_RE.match(value):
        raise ConfigError(
            "A Spotify client id is 32 characters 0-9 and a-f (found under your app's name "
            f"on the dashboard); got {len(value)} characters."
            if value
            else "Paste the Client ID of your Spotify app."
        )
    return value.lower()


def save_client_id(config: Config, text: str) -> str:
    """Validate and store the client id as ``client_id = "..."`` in config.toml."""
    value = check_client_id(text)
    _edit(config.config_path, lambda t: _set_top_key(t, "client_id", value), "client_id")
    return value


# ---------------------------------------------------------------------- text edits
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a valid TOML basic string


def _is_header(line: str) -> bool:
    return line.lstrip().startswith("[")


def _replace_table(text: str, name: str, values: dict[str, Any]) -> str:
    """``text`` without its ``[name]`` table, with the new one appended (if not empty)."""
    kept = _without_table(text.splitlines(), name)
    while kept and not kept[-1].strip():
        kept.pop()
    if values:
        if kept:
            kept.append("")
        kept.append(f"[{name}]")
        kept += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(kept) + "\n" if kept else ""


def _without_table(lines: list[str], name: str) -> list[str]:
    """The lines outside every ``[name]`` table: from its header up to the next one."""
    header = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]\s*(#.*)?$")
    kept: list[str] = []
    skipping = False
    for line in lines:
        if header.match(line):
            skipping = True
            continue
        if skipping and _is_header(line):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def _set_top_key(text: str, key: str, value: Any) -> str:
    """``text`` with the top-level ``key = value`` replaced, or inserted before any table."""
    lines = text.splitlines()
    line = f"{key} = {_toml_value(value)}"
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i, old in enumerate(lines):
        if _is_header(old):
            lines.insert(i, line)
            break
        if pattern.match(old):
            lines[i] = line
            break
    else:
        lines.append(line)
    return "\n".join(lines) + "\n"


def _edit(path: Path, change, what: str) -> None:
    """Apply ``change`` to the file's text; write it only if nothing else changed."""
    old_text, old = _read_toml(path)
    new_text = change(old_text)
    if not _only_changed(what, old, new_text):
        raise ConfigError(f"could not update {what} in {path} safely; edit the file by hand")
    try:
        write_atomic(path, new_text)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """The file's text and what it says ("" and nothing for a file not there yet); a file
    that cannot be read or parsed is never edited."""
    try:
        old_text = path.read_text(encoding="utf-8") if path.exists() else ""
        return old_text, tomllib.loads(old_text)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} cannot be read ({exc}); fix or move it, then try again") from exc


def _only_changed(what: str, old: dict[str, Any], new_text: str) -> bool:
    """Whether ``new_text`` parses and says what ``old`` said about everything but ``what``."""
    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        return False
    return {k: v for k, v in new.items() if k != what} == {
        k: v for k, v in old.items() if k != what
    }


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` in one step (a crash leaves the old or the new file, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def setup_steps(redirect_uri: str) -> list[str]:
    """The Spotify dashboard steps, one string each: the TUI's setup wizard and
    ``spotui login`` show exactly these."""
    return [
        "Open https://developer.spotify.com/dashboard and log in with your Spotify account.",
        'Choose Create app; give it any name and description; under "Which API/SDKs are '
        'you planning to use?" tick Web API.',
        f"Add this Redirect URI exactly, then save: {redirect_uri}",
        "Copy the Client ID shown on the app's page (32 characters; there is no secret: "
        "spotui uses PKCE).",
        "Queueing to a device needs Spotify Premium; a Development Mode app only works while "
        "its owner has Premium.",
        "Logging in with another account than the app owner's? Add it under User Management "
        "(name and email, up to 5 users).",
    ]
