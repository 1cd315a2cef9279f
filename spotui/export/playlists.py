"""Playlist export: plan the requests, then send exactly them.

Why it is built this way:

* **Nothing twice.** Adding items to a playlist is not retried (a 5xx may still have
  added them); instead the target -> playlist mapping is stored the moment the playlist
  exists, so running the same export again *replaces* the items of that playlist (``PUT``
  the first 100, ``POST`` the rest) rather than creating a second one.
* **An unanswered create is reconciled, not repeated.** Before ``POST /me/playlists``
  a *pending* record is stored, and the description carries a marker (``spotui:<10 hex>``,
  from this library's random id and the target). When the create gets no clear answer
  (a 5xx, a timeout) the playlist may exist; the next run first looks for the marker
  among the user's playlists and adopts what it finds, so a retry never leaves an empty
  orphan next to a full copy.
* **What the user asked is what the playlist is.** A re-export sets name, privacy and
  description (``PUT /playlists/{id}``) as well as the tracks.
* **Private by default.** ``POST /me/playlists`` defaults to public on Spotify's side, so
  ``public`` is always sent explicitly and is False unless the user asked.
* **Plan first.** :func:`plan_export` is a pure function from (stored playlist, pending
  create, tracks) to the exact requests; ``--dry-run`` and the TUI's confirmation show
  that plan, and :mod:`spotui.export.send` sends the same plan (after a lookup that finds
  the playlist, or a 404 saying it was deleted, it re-plans from what it learnt).
* **Demo mode never touches the network**: the action goes to the outbox.

Tracks whose id is not a Spotify id (``local:...`` from CSV imports) cannot be added to a
Spotify playlist; they are skipped and reported, never silently dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spotui.core.errors import UserError
from spotui.core.text import count

#: Spotify accepts at most 100 URIs per add/replace request.
CHUNK_SIZE = 100
#: Spotify truncates/refuses longer playlist descriptions.
DESCRIPTION_MAX = 300
NEW_PLAYLIST = "{new}"  # placeholder id in a plan before the playlist exists
MARKER_PREFIX = "spotui:"


def chunks(seq: Sequence, size: int = CHUNK_SIZE) -> Iterator[list]:
    for i in range(0, len(seq), size):
        yield list(seq[i : i + size])


def export_marker(export_id: str, target: str) -> str:
    """The token a target's playlist carries in its description (letters, digits and a
    colon only, so Spotify's HTML escaping of descriptions never changes it)."""
    digest = hashlib.sha1(f"{export_id}:{target}".encode()).hexdigest()[:10]
    return MARKER_PREFIX + digest


def with_marker(description: str, marker: str) -> str:
    """One line, clipped so that it and the marker fit Spotify's 300 characters."""
    text = " ".join(description.split())
    room = DESCRIPTION_MAX - len(marker) - 1
    if len(text) > room:
        text = text[: room - 1] + "…"
    return f"{text} {marker}" if text else marker


@dataclass(frozen=True)
class PlannedRequest:
    """One HTTP request of an export: what ``--dry-run`` prints and what tests compare.

    The lookup of a pending create is one planned ``GET /me/playlists`` (sent as one
    request per page); ``note`` says what it looks for.
    """

    method: str
    path: str
    body: Any = None
    note: str = field(default="", compare=False)

    @property
    def step(self) -> str:
        """find, create, details, replace (the first 100 tracks) or add."""
        if self.method == "GET":
            return "find"
        if self.path == "me/playlists":
            return "create"
        if not self.path.endswith("/items"):
            return "details"
        return "replace" if self.method == "PUT" else "add"

    def for_playlist(self, pid: str) -> PlannedRequest:
        return replace(self, path=self.path.replace(NEW_PLAYLIST, pid))

    def as_dict(self) -> dict:
        out = {"method": self.method, "path": self.path, "body": self.body}
        return {**out, "note": self.note} if self.note else out

    def describe(self) -> str:
        if isinstance(self.body, dict) and "uris" in self.body:
            return f"{self.method} /{self.path} ({count(len(self.body['uris']), 'track')})"
        if self.body is None:
            return f"{self.method} /{self.path} ({self.note})"
        return f"{self.method} /{self.path} {json.dumps(self.body, ensure_ascii=False)}"


def plan_export(
    playlist_id: str | None,
    name: str,
    description: str,
    uris: Sequence[str],
    public: bool = False,
    *,
    find: str | None = None,
) -> list[PlannedRequest]:
    """The requests that put ``uris`` into the target's playlist.

    A playlist exported before: set its details (``PUT /playlists/{id}``: name, public,
    description), then replace its items (PUT the first 100, POST the rest). None yet:
    create one (``public`` sent explicitly) and add the tracks 100 per request; ``find``
    (the marker of a create that got no answer) puts a lookup before the create.
    """
    if playlist_id is not None:
        details = {"name": name, "public": bool(public), "description": description}
        plan = [PlannedRequest("PUT", f"playlists/{playlist_id}", details)]
        for i, part in enumerate(chunks(list(uris))):
            method = "PUT" if i == 0 else "POST"
            plan.append(PlannedRequest(method, f"playlists/{playlist_id}/items", {"uris": part}))
        return plan
    plan = []
    if find:
        note = f"every page; look for {find} in a description"
        plan.append(PlannedRequest("GET", "me/playlists", None, note))
    body = {"name": name, "public": bool(public), "collaborative": False}
    plan.append(PlannedRequest("POST", "me/playlists", {**body, "description": description}))
    for part in chunks(list(uris)):
        plan.append(PlannedRequest("POST", f"playlists/{NEW_PLAYLIST}/items", {"uris": part}))
    return plan


@dataclass(frozen=True)
class ExportJob:
    """What one export puts on the account (the inputs of :func:`plan_export`)."""

    target: str
    name: str
    description: str
    uris: tuple[str, ...]
    public: bool
    marker: str

    def plan(self, playlist_id: str | None, find: str | None = None) -> list[PlannedRequest]:
        return plan_export(
            playlist_id, self.name, self.description, self.uris, self.public, find=find
        )


@dataclass
class ExportResult:
    target: str
    name: str
    playlist_id: str | None
    created: bool
    replaced: bool
    requests: list[PlannedRequest]
    track_count: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    recreated: bool = False
    dry_run: bool = False
    demo: bool = False
    #: --demo: the outbox file the action was written to instead of Spotify
    outbox: str = ""
    public: bool = False
    description: str = ""
    renamed_from: str | None = None  # the name spotui gave the playlist last time
    lookup: str | None = None  # the marker of a create that got no answer (looked for)
    reconciled: bool = False  # the lookup found the playlist; it was adopted
    also_marked: list[str] = field(default_factory=list)  # more playlists with the marker

    @property
    def url(self) -> str | None:
        if not self.playlist_id or self.playlist_id == NEW_PLAYLIST or self.demo:
            return None
        return f"https://open.spotify.com/playlist/{self.playlist_id}"

    def _dry_head(self, vis: str, n: int, k: int) -> str:
        tracks, requests = count(n, "track"), count(k, "request")
        sent = " (dry run: nothing was sent)"
        if self.replaced:
            pid = self.playlist_id
            if self.renamed_from is not None:
                what = (
                    f"rename “{self.renamed_from}” to “{self.name}” ({pid}), "
                    f"replace its tracks with {tracks}"
                )
            else:
                what = f"replace the tracks of playlist “{self.name}” ({pid}) with {tracks}"
            return f"Would {what} and set it {vis} in {requests}{sent}:"
        create = f"create a {vis} playlist “{self.name}” and add {tracks}"
        if self.lookup:
            return (
                f"Would first look for the playlist an interrupted export may have created "
                f"(its description holds {self.lookup}): if it is there, set it {vis} and "
                f"replace its tracks with {tracks}; if not, {create} ({requests}; "
                "dry run: nothing was sent):"
            )
        return f"Would {create} in {requests}{sent}:"

    def _head(self, vis: str, n: int) -> str:
        tracks = count(n, "track")
        if self.reconciled:
            old = self.renamed_from
            renamed = f", renamed it to “{self.name}”," if old is not None else ","
            return (
                f"Found “{old or self.name}”, which the interrupted export had created "
                f"({self.lookup}){renamed} and replaced its tracks with {tracks}; it is {vis}"
            )
        if self.replaced:
            if self.renamed_from is not None:
                return (
                    f"Renamed “{self.renamed_from}” to “{self.name}” and replaced its tracks "
                    f"with {tracks}; it is {vis}"
                )
            return f"Replaced the tracks of “{self.name}” with {tracks}; it is {vis}"
        if self.recreated:
            return (
                f"The playlist exported before was deleted; created a new {vis} "
                f"playlist “{self.name}” with {tracks}"
            )
        made = f"Created a {vis} playlist “{self.name}” with {tracks}"
        if self.lookup:  # looked for it first: the interrupted export had not made it
            return f"{made}, after finding no playlist marked {self.lookup}"
        return made

    def summary(self) -> str:
        vis = "public" if self.public else "private"
        n, k = self.track_count, len(self.requests)
        if self.dry_run:
            lines = [self._dry_head(vis, n, k)]
            lines += [f"  {r.describe()}" for r in self.requests]
        else:
            lines = [f"{self._head(vis, n)} ({count(k, 'request')})."]
            if self.url:
                lines.append(f"  {self.url}")
            if self.also_marked:
                lines.append(
                    f"{count(len(self.also_marked), 'more playlist')} carry {self.lookup} and were left "
                    f"as they are: {', '.join(self.also_marked)}"
                )
            if self.demo:
                lines.append(
                    f"Demo mode: written to {self.outbox or 'the demo outbox'}, nothing was sent "
                    "to Spotify."
                )
        return "\n".join(lines + skipped_lines(self.skipped))

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "name": self.name,
            "playlist_id": self.playlist_id,
            "url": self.url,
            "created": self.created,
            "replaced": self.replaced,
            "recreated": self.recreated,
            "renamed_from": self.renamed_from,
            "reconciled": self.reconciled,
            "lookup": self.lookup,
            "public": self.public,
            "description": self.description,
            "track_count": self.track_count,
            "dry_run": self.dry_run,
            "demo": self.demo,
            "requests": [r.as_dict() for r in self.requests],
            "skipped": [{"track_id": t, "reason": r} for t, r in self.skipped],
        }


def skipped_lines(skipped: Sequence[tuple[str, str]]) -> list[str]:
    """The lines of a summary that list tracks not sent, and why."""
    if not skipped:
        return []
    return [f"Skipped {count(len(skipped), 'track')}:", *(f"  {t}: {why}" for t, why in skipped)]


class ExportIncomplete(UserError):
    """The playlist exists but not every track was added; running the export again fixes it."""


class ExportUncertain(UserError):
    """A create got no clear answer: the playlist may exist; the next run reconciles."""


def dedupe(ids: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    seen: set[str] = set()
    out, dup = [], []
    for t in ids:
        if t in seen:
            dup.append((t, "listed twice; added once"))
        else:
            seen.add(t)
            out.append(t)
    return out, dup
