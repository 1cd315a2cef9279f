"""How both faces write counts and numbers: one helper, so the CLI and the app agree.

Why a module: "Queued 1 of 1 tracks", "in 1 requests" and the CLI's ``2010`` next to the
app's ``2,010`` came from each message doing its own plural and number format. Every
count a person reads goes through :func:`count` (or :func:`number`); numpy-free and
import-light, the TUI's start-up path may use it.
"""

from __future__ import annotations

#: Words whose plural is not the word plus "s".
_IRREGULAR = {"library": "libraries", "query": "queries", "match": "matches"}


def number(n: int) -> str:
    """An integer with thousands separators (``2,010``), the one format of both faces."""
    return f"{n:,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` as it agrees with ``n``: "track" for 1, "tracks" otherwise (``many`` or a
    known irregular plural when given)."""
    if n == 1:
        return word
    return many or _IRREGULAR.get(word, word + "s")


def count(n: int, word: str, many: str | None = None) -> str:
    """``n`` and the agreeing word: "1 track", "2,010 tracks", "0 requests"."""
    return f"{number(n)} {plural(n, word, many)}"
