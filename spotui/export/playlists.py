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
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spotui.config import Config
from spotui.errors import UserError
from spotui.export.outbox import write_outbox
from spotui.progress import Progress
from spotui.spotify.ids import split_spotify, track_uri
from spotui.text import count

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


def export_tracks(
    client,
    store,
    config: Config,
    target: str,
    name: str,
    description: str,
    track_ids: Sequence[str],
    public: bool = False,
    dry_run: bool = False,
    *,
    progress: Progress | None = None,
) -> ExportResult:
    """Put ``track_ids`` into the playlist stored for ``target`` (creating it if needed).

    ``target`` names what is exported (``"cluster:3"``, ``"recommend:..."``): exporting the
    same target again replaces that playlist's items and details, a playlist the user
    deleted (404) is made anew, and a create that got no answer is looked for first.
    ``dry_run`` returns the planned requests and sends nothing (the only thing it may
    write is this library's random export id, on first use). In demo mode (``client``
    None, ``config.demo``) the action goes to the outbox.
    """
    good, skipped = split_spotify(track_ids)
    good, dups = dedupe(good)
    skipped += dups
    if not good:
        raise UserError(
            f"Nothing to export to “{name}”: none of its {len(track_ids)} tracks is a Spotify "
            "track. Export it to a file with --format csv|m3u|json instead."
        )
    marker = export_marker(store.export_id(), target)
    uris = tuple(track_uri(t) for t in good)
    job = ExportJob(target, name, with_marker(description, marker), uris, public, marker)
    result = _planned(store, job, skipped, dry_run)
    if dry_run:
        return result
    if client is None:
        if not config.demo:
            raise UserError(
                "Exporting to Spotify needs a login; run `spotui login` (or use --demo)."
            )
        return _export_demo(store, config, result, job)
    from spotui.export.send import send_plan

    return send_plan(client, store, job, result, progress)


def _planned(store, job: ExportJob, skipped: list, dry_run: bool) -> ExportResult:
    """The plan for ``job`` given what the store knows: the playlist it went to last time,
    or a create that got no answer (then the plan looks for it first)."""
    mapping = store.get_export(job.target)
    pending = None if mapping else store.get_pending_export(job.target)
    pid = mapping.playlist_id if mapping else None
    return ExportResult(
        target=job.target,
        name=job.name,
        playlist_id=pid,
        created=mapping is None,
        replaced=mapping is not None,
        requests=job.plan(pid, find=pending.marker if pending else None),
        track_count=len(job.uris),
        skipped=skipped,
        dry_run=dry_run,
        public=job.public,
        description=job.description,
        renamed_from=mapping.name if mapping and mapping.name != job.name else None,
        lookup=pending.marker if pending else None,
    )


def _export_demo(store, config: Config, result: ExportResult, job: ExportJob) -> ExportResult:
    """The outbox line says what would have been set: name, privacy, description, tracks."""
    result.demo = True
    result.outbox = str(config.outbox_path)
    pid = result.playlist_id or f"demo-{uuid.uuid4().hex[:17]}"
    result.requests = [r.for_playlist(pid) for r in job.plan(result.playlist_id)]
    entry = {
        "kind": "playlist_replace" if result.replaced else "playlist_create",
        "target": result.target,
        "playlist_id": pid,
        "name": result.name,
        "description": result.description,
        "public": result.public,
        "uris": list(job.uris),
    }
    if result.renamed_from is not None:
        entry["renamed_from"] = result.renamed_from
    write_outbox(config, entry)
    result.playlist_id = pid
    store.set_export(result.target, pid, result.name, len(job.uris))
    return result
