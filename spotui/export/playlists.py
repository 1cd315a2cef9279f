"""Playlist export: plan the requests, then send exactly them.

Why it is built this way:

* **Nothing twice.** Adding items to a playlist is not retried (a 5xx may still have
  added them); instead the target -> playlist mapping is stored the moment the playlist
  exists, so running the same export again *replaces* the items of that playlist (``PUT``
  the first 100, ``POST`` the rest) rather than creating a second one.
* **Private by default.** ``POST /me/playlists`` defaults to public on Spotify's side, so
  ``public`` is always sent explicitly and is False unless the user asked.
* **Plan first.** :func:`plan_export` is a pure function from (stored playlist, tracks)
  to the exact requests; ``--dry-run`` and the TUI's confirmation show that plan, and the
  network path executes the same plan.
* **Demo mode never touches the network**: the action goes to the outbox.

Tracks whose id is not a Spotify id (``local:...`` from CSV imports) cannot be added to a
Spotify playlist; they are skipped and reported, never silently dropped.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from spotui.config import Config
from spotui.errors import UserError
from spotui.export.outbox import write_outbox
from spotui.http import ServiceError
from spotui.progress import Progress
from spotui.spotify.errors import SpotifyHTTPError
from spotui.spotify.ids import split_spotify, track_uri

#: Spotify accepts at most 100 URIs per add/replace request.
CHUNK_SIZE = 100
#: Spotify truncates/refuses longer playlist descriptions.
DESCRIPTION_MAX = 300
NEW_PLAYLIST = "{new}"  # placeholder id in a plan before the playlist exists


def chunks(seq: Sequence, size: int = CHUNK_SIZE) -> Iterator[list]:
    for i in range(0, len(seq), size):
        yield list(seq[i : i + size])


@dataclass(frozen=True)
class PlannedRequest:
    """One HTTP request of an export: what ``--dry-run`` prints and what tests compare."""

    method: str
    path: str
    body: Any = None

    def as_dict(self) -> dict:
        return {"method": self.method, "path": self.path, "body": self.body}

    def describe(self) -> str:
        if isinstance(self.body, dict) and "uris" in self.body:
            return f"{self.method} /{self.path} ({len(self.body['uris'])} tracks)"
        return f"{self.method} /{self.path} {json.dumps(self.body, ensure_ascii=False)}"


def plan_export(
    playlist_id: str | None,
    name: str,
    description: str,
    uris: Sequence[str],
    public: bool = False,
) -> list[PlannedRequest]:
    """The requests that put ``uris`` into the target's playlist.

    No playlist yet: create one (``public`` sent explicitly) and add the tracks 100 per
    request. A playlist exported before: replace its items (PUT the first 100, POST the rest).
    """
    create = playlist_id is None
    pid = NEW_PLAYLIST if create else playlist_id
    plan: list[PlannedRequest] = []
    if create:
        plan.append(
            PlannedRequest(
                "POST",
                "me/playlists",
                {
                    "name": name,
                    "public": bool(public),
                    "collaborative": False,
                    "description": description,
                },
            )
        )
    for i, part in enumerate(chunks(list(uris))):
        method = "PUT" if (i == 0 and not create) else "POST"
        plan.append(PlannedRequest(method, f"playlists/{pid}/items", {"uris": part}))
    return plan


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
    public: bool = False
    description: str = ""

    @property
    def url(self) -> str | None:
        if not self.playlist_id or self.playlist_id == NEW_PLAYLIST or self.demo:
            return None
        return f"https://open.spotify.com/playlist/{self.playlist_id}"

    def summary(self) -> str:
        vis = "public" if self.public else "private"
        n = self.track_count
        if self.dry_run:
            if self.created:
                head = f"Would create a {vis} playlist “{self.name}” and add {n} tracks"
            else:
                head = (
                    f"Would replace the {n} tracks of playlist “{self.name}” ({self.playlist_id})"
                )
            lines = [f"{head} in {len(self.requests)} requests (dry run: nothing was sent):"]
            lines += [f"  {r.describe()}" for r in self.requests]
        else:
            if self.replaced:
                head = f"Replaced the tracks of “{self.name}” with {n} tracks"
            elif self.recreated:
                head = (
                    f"The playlist exported before was deleted; created a new {vis} "
                    f"playlist “{self.name}” with {n} tracks"
                )
            else:
                head = f"Created a {vis} playlist “{self.name}” with {n} tracks"
            lines = [f"{head} ({len(self.requests)} requests)."]
            if self.url:
                lines.append(f"  {self.url}")
            if self.demo:
                lines.append("Demo mode: written to the demo outbox, nothing was sent to Spotify.")
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
            "public": self.public,
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
    return [f"Skipped {len(skipped)} tracks:", *(f"  {t}: {why}" for t, why in skipped)]


class ExportIncomplete(UserError):
    """The playlist exists but not every track was added; running the export again fixes it."""


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


def _clip_description(text: str) -> str:
    text = " ".join(text.split())  # Spotify descriptions are one line
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


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
    same target again replaces that playlist's items, and a playlist the user deleted
    (404) is made anew. ``dry_run`` returns the planned requests and writes nothing. In
    demo mode (``client`` None, ``config.demo``) the action goes to the outbox.
    """
    good, skipped = split_spotify(track_ids)
    good, dups = dedupe(good)
    skipped += dups
    if not good:
        raise UserError(
            f"Nothing to export to “{name}”: none of its {len(track_ids)} tracks is a Spotify "
            "track. Export it to a file with --format csv|m3u|json instead."
        )
    description = _clip_description(description)
    uris = [track_uri(t) for t in good]
    mapping = store.get_export(target)
    plan = plan_export(mapping.playlist_id if mapping else None, name, description, uris, public)
    result = ExportResult(
        target=target,
        name=name,
        playlist_id=mapping.playlist_id if mapping else None,
        created=mapping is None,
        replaced=mapping is not None,
        requests=plan,
        track_count=len(uris),
        skipped=skipped,
        dry_run=dry_run,
        public=public,
        description=description,
    )
    if dry_run:
        return result
    if client is None:
        if not config.demo:
            raise UserError(
                "Exporting to Spotify needs a login; run `spotui login` (or use --demo)."
            )
        return _export_demo(store, config, result, uris, mapping)
    return _export_network(client, store, result, uris, description, progress)


def _export_demo(
    store, config: Config, result: ExportResult, uris: list[str], mapping
) -> ExportResult:
    result.demo = True
    pid = mapping.playlist_id if mapping else f"demo-{uuid.uuid4().hex[:17]}"
    result.playlist_id = pid
    result.requests = plan_export(
        mapping.playlist_id if mapping else None,
        result.name,
        result.description,
        uris,
        result.public,
    )
    if mapping is None:
        result.requests = [
            PlannedRequest(r.method, r.path.replace(NEW_PLAYLIST, pid), r.body)
            for r in result.requests
        ]
    write_outbox(
        config,
        {
            "kind": "playlist_replace" if mapping else "playlist_create",
            "target": result.target,
            "playlist_id": pid,
            "name": result.name,
            "description": result.description,
            "public": result.public,
            "uris": uris,
        },
    )
    store.set_export(result.target, pid, result.name, len(uris))
    return result


def _export_network(
    client,
    store,
    result: ExportResult,
    uris: list[str],
    description: str,
    progress: Progress | None,
) -> ExportResult:
    sent: list[PlannedRequest] = []
    parts = list(chunks(uris))
    pid = result.playlist_id
    if pid is not None:
        pid = _replace_first(client, store, result, pid, parts[0], sent)
    start = 1
    if pid is None:
        pid = _create(client, store, result, description, sent)
        start = 0
    result.playlist_id = pid
    _add(client, result, pid, uris, parts, start, sent, progress)
    store.set_export(result.target, pid, result.name, len(uris))
    result.requests = sent
    return result


def _replace_first(
    client, store, result: ExportResult, pid: str, part: list[str], sent: list[PlannedRequest]
) -> str | None:
    """PUT the first 100 into the stored playlist; None if the user deleted it since."""
    # Replace: PUT overwrites the items, so repeating it is harmless (idempotent).
    req = PlannedRequest("PUT", f"playlists/{pid}/items", {"uris": part})
    try:
        client.request("PUT", req.path, json=req.body, idempotent=True)
        sent.append(req)
        return pid
    except SpotifyHTTPError as exc:
        if exc.status != 404:
            raise
    # The user deleted the playlist: forget it; the caller makes a new one.
    sent.append(req)
    store.delete_export(result.target)
    result.recreated = True
    result.replaced = False
    return None


def _create(
    client, store, result: ExportResult, description: str, sent: list[PlannedRequest]
) -> str:
    body = {
        "name": result.name,
        "public": bool(result.public),
        "collaborative": False,
        "description": description,
    }
    created = client.post("me/playlists", json=body) or {}
    sent.append(PlannedRequest("POST", "me/playlists", body))
    pid = created.get("id")
    if not pid:
        raise UserError("Spotify did not return the new playlist's id; nothing was added.")
    # Remember it now: if adding fails half-way, the next run replaces, never duplicates.
    store.set_export(result.target, pid, result.name, 0)
    result.created = True  # also after a deletion (``recreated`` says why)
    return pid


def _add(
    client,
    result: ExportResult,
    pid: str,
    uris: list[str],
    parts: list[list[str]],
    start: int,
    sent: list[PlannedRequest],
    progress: Progress | None,
) -> None:
    """POST the remaining parts; a failure says how far it got and how to finish."""
    added = CHUNK_SIZE * start
    try:
        for part in parts[start:]:
            req = PlannedRequest("POST", f"playlists/{pid}/items", {"uris": part})
            client.post(req.path, json=req.body)  # not retried: a retry could add twice
            sent.append(req)
            added += len(part)
            if progress is not None:
                progress(min(added, len(uris)), len(uris), "adding tracks")
    except ServiceError as exc:
        result.requests = sent
        raise ExportIncomplete(
            f"{exc} — the playlist “{result.name}” exists but holds only {min(added, len(uris))} "
            f"of {len(uris)} tracks. Run the same export again to finish it: it replaces the "
            "playlist's tracks, nothing is duplicated."
        ) from exc
