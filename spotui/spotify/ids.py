"""Spotify track ids as users give them: a bare id, a ``spotify:track:`` URI or an
open.spotify.com link (with or without a locale segment and a ``?si=`` tail).

One parser for the whole app: the CSV importer, the exporters and the recommender's seed
handling used to each have their own, and they disagreed on links with a locale.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ID = re.compile(r"[0-9A-Za-z]{22}")
_URI = re.compile(r"spotify:track:([^:\s]*)")
_LINK = re.compile(r"open\.spotify\.com/(?:[^/?\s]+/)*?track/([^/?\s]*)")


def _tail(value: str) -> str | None:
    """The id part of a track URI or link (not checked), None if ``value`` is neither."""
    m = _URI.fullmatch(value) or _LINK.search(value)
    return m.group(1) if m else None


def parse_track_id(value: object) -> str | None:
    """The Spotify id of a track id, URI or link; None if it is not one (e.g. ``local:…``)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if _ID.fullmatch(value):
        return value
    tail = _tail(value)
    return tail if tail is not None and _ID.fullmatch(tail) else None


def normalise_track_id(value: str) -> str:
    """A URI or link reduced to its id; anything else (local ids included) as given, stripped."""
    value = value.strip()
    tail = _tail(value)
    return tail if tail is not None else value


def track_uri(track_id: str) -> str:
    return f"spotify:track:{track_id}"


def split_spotify(track_ids: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """``(spotify ids in order, [(given id, why it can't go to Spotify)])``."""
    good: list[str] = []
    bad: list[tuple[str, str]] = []
    for raw in track_ids:
        tid = parse_track_id(raw)
        if tid is not None:
            good.append(tid)
        elif str(raw).startswith("local:"):
            bad.append((raw, "not on Spotify (a track imported from a CSV without a Spotify id)"))
        else:
            bad.append((raw, "not a Spotify track id"))
    return good, bad
