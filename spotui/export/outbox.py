"""The demo outbox: where queue and playlist actions go in ``--demo`` instead of Spotify.

Why a file and not a no-op: the whole flow (plan, confirm, write, re-export replaces) can
be tried and tested without an account, and the user can read exactly what would have
been sent. One JSON object per line, appended, so a crash never corrupts earlier lines.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from spotui.config.env import Config


def write_outbox(config: Config, entry: dict) -> dict:
    """Append one action to the demo outbox (one JSON object per line)."""
    record = {
        "kind": entry["kind"],
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **{k: v for k, v in entry.items() if k != "kind"},
    }
    path = config.outbox_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


def read_outbox(config: Config) -> list[dict]:
    """Every action written to the demo outbox, oldest first.

    A line that is not a JSON object (e.g. cut short by a crash) is skipped rather than
    making the whole outbox unreadable.
    """
    path = config.outbox_path
    if not path.exists():
        return []
    out: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "kind" in obj:
            out.append(obj)
    return out
