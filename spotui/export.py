"""The only code that changes the user's Spotify account: queueing and playlist export.

Why it is built this way:

* **Nothing twice.** A queue request is sent once per track and never repeated after an
  answer other than 429 (which means "not processed"): a 5xx or a timeout may still have
  queued the song, and a retry would queue it twice. Adding items to a playlist is not
  retried either; instead the cluster -> playlist mapping is stored the moment the playlist
  exists, so running the same export again *replaces* the items of that playlist
  (``PUT`` the first 100, ``POST`` the rest) rather than creating a second one.
* **Private by default.** ``POST /me/playlists`` defaults to public on Spotify's side, so
  ``public`` is always sent explicitly and is False unless the user asked.
* **Plan first.** :func:`plan_export` is a pure function from (stored mapping, tracks) to
  the exact requests; ``--dry-run`` prints that plan and sends nothing, and the network
  path executes the same plan.
* **Demo mode never touches the network.** With ``config.demo`` every action is appended
  to a local outbox (JSON lines, :func:`read_outbox`) so the whole flow can be tried
  without an account.
* **Offline files.** CSV (the exportify.net column layout, re-importable with
  ``spotui import``), M3U and JSON need no account at all.

Tracks whose id is not a Spotify id (``local:...`` from CSV imports) cannot be queued or
added to a Spotify playlist; they are skipped and reported, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from spotui.config import Config
from spotui.errors import NotFoundError, UserError
from spotui.feature_spec import EXPORTIFY_FEATURES, FEATURE_NAMES
from spotui.model import Features, Track
from spotui.progress import CancelCheck, Progress
from spotui.sources.csv_import import parse_track_id

#: Spotify accepts at most 100 URIs per add/replace request.
CHUNK_SIZE = 100
#: Spotify truncates/refuses longer playlist descriptions.
DESCRIPTION_MAX = 300
NAME_PREFIX = "spotui · "
NEW_PLAYLIST = "{new}"  # placeholder id in a plan before the playlist exists
DEMO_DEVICE = "Demo player (spotui --demo)"
FORMATS = ("csv", "m3u", "json")

PREMIUM_MESSAGE = "queueing needs Spotify Premium"
NO_DEVICE_HINT = (
    "no active device: start playing something in a Spotify app (phone, desktop or web "
    "player), then try again"
)

#: exportify.net's 24 columns (docs/spotify-api.md §5.2), then ISRC, which spotui's importer
#: also reads. Keeping the exact order means other Exportify tooling accepts the file.
CSV_COLUMNS = (
    "Track URI", "Track Name", "Album Name", "Artist Name(s)", "Release Date", "Duration (ms)",
    "Popularity", "Explicit", "Added By", "Added At", "Genres", "Record Label",
    "Danceability", "Energy", "Key", "Loudness", "Mode", "Speechiness", "Acousticness",
    "Instrumentalness", "Liveness", "Valence", "Tempo", "Time Signature", "ISRC",
)  # fmt: skip


# ====================================================================== shared helpers
def spotify_track_id(value: str) -> str | None:
    """The Spotify id of a track id / ``spotify:track:`` URI / open.spotify.com link."""
    return parse_track_id(value) if isinstance(value, str) else None


def split_spotify(track_ids: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """``(spotify ids in order, [(given id, why it can't go to Spotify)])``."""
    good: list[str] = []
    bad: list[tuple[str, str]] = []
    for raw in track_ids:
        tid = spotify_track_id(raw)
        if tid is not None:
            good.append(tid)
        elif str(raw).startswith("local:"):
            bad.append((raw, "not on Spotify (a track imported from a CSV without a Spotify id)"))
        else:
            bad.append((raw, "not a Spotify track id"))
    return good, bad


def chunks(seq: Sequence, size: int = CHUNK_SIZE) -> Iterator[list]:
    for i in range(0, len(seq), size):
        yield list(seq[i : i + size])


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uri(tid: str) -> str:
    return f"spotify:track:{tid}"


# ====================================================================== demo outbox
def write_outbox(config: Config, entry: dict) -> dict:
    """Append one action to the demo outbox (one JSON object per line)."""
    record = {
        "kind": entry["kind"],
        "at": _now(),
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


def clear_outbox(config: Config) -> int:
    """Empty the demo outbox; returns how many actions it held."""
    n = len(read_outbox(config))
    config.outbox_path.unlink(missing_ok=True)
    return n


# ====================================================================== queue
@dataclass(frozen=True)
class Device:
    id: str | None
    name: str
    type: str = ""
    is_active: bool = False
    is_restricted: bool = False

    @classmethod
    def from_api(cls, d: dict) -> Device:
        return cls(
            id=d.get("id"),
            name=str(d.get("name") or "unnamed device"),
            type=str(d.get("type") or ""),
            is_active=bool(d.get("is_active")),
            is_restricted=bool(d.get("is_restricted")),
        )

    def label(self) -> str:
        return f"{self.name} ({self.type})" if self.type else self.name


class NoActiveDeviceError(UserError):
    """Nothing is playing anywhere; ``devices`` are the ones playback could move to."""

    def __init__(self, devices: Sequence[Device]):
        self.devices = list(devices)
        if not self.devices:
            msg = (
                "No Spotify device is available: open Spotify on your phone, computer or in "
                "the web player (open.spotify.com), start playing something, then try again. "
                "Nothing was queued."
            )
        else:
            names = ", ".join(d.label() for d in self.devices)
            msg = (
                "No Spotify device is playing, so there is nowhere to queue to. Start playback "
                f"in a Spotify app, or transfer playback to one of your devices: {names}. "
                "Nothing was queued."
            )
        super().__init__(msg)


@dataclass
class QueueResult:
    """What happened to each track: ``queued`` ids in order, ``failed`` with the reason."""

    queued: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    device_name: str | None = None
    transferred: bool = False
    demo: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        where = f" on {self.device_name}" if self.device_name else ""
        lines = [
            f"Queued {len(self.queued)} of {len(self.queued) + len(self.failed)} tracks{where}."
        ]
        if self.transferred:
            lines[0] = f"Moved playback to {self.device_name}. " + lines[0]
        for tid, why in self.failed:
            lines.append(f"  not queued: {tid}: {why}")
        if self.demo:
            lines.append("Demo mode: written to the demo outbox, nothing was sent to Spotify.")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "queued": list(self.queued),
            "failed": [{"track_id": t, "reason": r} for t, r in self.failed],
            "device": self.device_name,
            "transferred": self.transferred,
            "demo": self.demo,
        }


def list_devices(client) -> list[Device]:
    body = client.get("me/player/devices") or {}
    return [Device.from_api(d) for d in body.get("devices") or [] if isinstance(d, dict)]


def pick_device(devices: Sequence[Device], wanted: str) -> Device:
    """The device whose id is ``wanted``, else whose name matches it (case-insensitive)."""
    for d in devices:
        if d.id and d.id == wanted:
            return d
    named = [d for d in devices if d.name.casefold() == wanted.strip().casefold()]
    if len(named) == 1:
        return named[0]
    listing = ", ".join(f"{d.label()} [id {d.id}]" for d in devices) or "none is online"
    if len(named) > 1:
        raise UserError(f"Several devices are called {wanted!r}; pick one by id: {listing}.")
    raise NotFoundError(f"No Spotify device {wanted!r}. Your devices: {listing}.")


def queue_tracks(
    client,
    config: Config,
    track_ids: Sequence[str],
    device: str | None = None,
    *,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> QueueResult:
    """Add tracks to the playback queue, in order, each exactly once.

    ``device`` (a device id or name) moves playback there first when it is not already the
    active device. Raises :class:`NoActiveDeviceError` (with the devices to offer) when
    nothing is playing and no device was named. In demo mode (``client`` None,
    ``config.demo``) the action goes to the outbox instead.
    """
    from spotui.http import ServiceError
    from spotui.spotify.errors import NoActiveDevice, PremiumRequired, SpotifyHTTPError

    good, bad = split_spotify(track_ids)
    result = QueueResult(failed=list(bad))
    if not track_ids:
        raise UserError("No tracks to queue.")
    if client is None:
        if not config.demo:
            raise UserError("Queueing needs a Spotify login; run `spotui login` (or use --demo).")
        result.demo = True
        result.device_name = device or DEMO_DEVICE
        if good:
            write_outbox(
                config,
                {"kind": "queue", "device": result.device_name, "uris": [_uri(t) for t in good]},
            )
        result.queued = good
        _reorder_failed(result, track_ids)
        return result
    if not good:
        return result

    try:
        devices = list_devices(client)
    except PremiumRequired:
        result.failed += [(t, PREMIUM_MESSAGE) for t in good]
        _reorder_failed(result, track_ids)
        return result
    device_id: str | None = None
    if device:
        target = pick_device(devices, device)
        if target.is_restricted:
            raise UserError(f"Spotify does not allow remote control of {target.label()}.")
        if not target.is_active:
            try:
                client.request(
                    "PUT",
                    "me/player",
                    json={"device_ids": [target.id], "play": False},
                    idempotent=True,
                )
            except PremiumRequired:
                result.failed += [(t, PREMIUM_MESSAGE) for t in good]
                _reorder_failed(result, track_ids)
                return result
            result.transferred = True
        device_id = target.id
        result.device_name = target.name
    else:
        active = next((d for d in devices if d.is_active), None)
        if active is None:
            raise NoActiveDeviceError(devices)
        result.device_name = active.name

    stop_reason: str | None = None
    for i, tid in enumerate(good):
        if stop_reason is None and cancel is not None and cancel():
            stop_reason = "not sent: cancelled"
        if stop_reason is not None:
            result.failed.append((tid, stop_reason))
            continue
        params = {"uri": _uri(tid)}
        if device_id:
            params["device_id"] = device_id
        try:
            # POST is never retried by the client except after 401/429 (not processed).
            client.post("me/player/queue", params=params)
        except PremiumRequired:
            result.failed.append((tid, PREMIUM_MESSAGE))
            stop_reason = f"not sent: {PREMIUM_MESSAGE}"
        except NoActiveDevice:
            result.failed.append((tid, NO_DEVICE_HINT))
            stop_reason = "not sent: no active device"
        except SpotifyHTTPError as exc:
            if exc.status >= 500:
                result.failed.append(
                    (
                        tid,
                        (
                            f"Spotify answered {exc.status}; not retried so it cannot be queued twice "
                            "(it may or may not be in the queue)"
                        ),
                    )
                )
            elif exc.status in (400, 404):
                detail = f": {exc.message}" if exc.message else ""
                result.failed.append((tid, f"Spotify refused it ({exc.status}{detail})"))
            else:
                result.failed.append((tid, str(exc)))
                stop_reason = f"not sent after an earlier error ({exc.status})"
        except ServiceError as exc:  # offline, rate limited, login expired: stop here
            result.failed.append((tid, f"{exc} (not retried, to avoid queueing it twice)"))
            stop_reason = "not sent after an earlier error"
        else:
            result.queued.append(tid)
        if progress is not None:
            progress(i + 1, len(good), "queueing")
    _reorder_failed(result, track_ids)
    return result


def _reorder_failed(result: QueueResult, order: Sequence[str]) -> None:
    """Failures listed in the order the user gave the tracks."""
    pos: dict[str, int] = {}
    for i, t in enumerate(order):
        pos.setdefault(t, i)
    result.failed.sort(key=lambda f: pos.get(f[0], len(order)))


# ====================================================================== playlist export
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
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)} tracks:")
            lines += [f"  {t}: {why}" for t, why in self.skipped]
        return "\n".join(lines)

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


class ExportIncomplete(UserError):
    """The playlist exists but not every track was added; running the export again fixes it."""


def _dedupe(ids: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
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
    good, dups = _dedupe(good)
    skipped += dups
    if not good:
        raise UserError(
            f"Nothing to export to “{name}”: none of its {len(track_ids)} tracks is a Spotify "
            "track. Export it to a file with --format csv|m3u|json instead."
        )
    description = _clip_description(description)
    uris = [_uri(t) for t in good]
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
    from spotui.http import ServiceError
    from spotui.spotify.errors import SpotifyHTTPError

    sent: list[PlannedRequest] = []
    parts = list(chunks(uris))
    pid = result.playlist_id
    if pid is not None:
        # Replace: PUT overwrites the items, so repeating it is harmless (idempotent).
        req = PlannedRequest("PUT", f"playlists/{pid}/items", {"uris": parts[0]})
        try:
            client.request("PUT", req.path, json=req.body, idempotent=True)
            sent.append(req)
        except SpotifyHTTPError as exc:
            if exc.status != 404:
                raise
            # The user deleted the playlist: forget it and make a new one below.
            sent.append(req)
            store.delete_export(result.target)
            result.recreated = True
            result.replaced = False
            pid = None
    if pid is None:
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
        start = 0
    else:
        start = 1
    result.playlist_id = pid
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
    store.set_export(result.target, pid, result.name, len(uris))
    result.requests = sent
    return result


# ---------------------------------------------------------------------- clusters
def load_clusters(store, progress: Progress | None = None):
    """The segmentation the user sees: the stored one, recomputed (same k/method, stable
    ids) only if the library changed since, computed if there is none yet."""
    from spotui.analysis.segment import is_current, load_result, segment

    result = load_result(store)
    if result is None:
        return segment(store, progress=progress)
    if not is_current(store, result):
        return segment(store, k=result.requested_k, method=result.method, progress=progress)
    return result


def cluster_tracks(result, cluster_id: int) -> list[str]:
    """A cluster's tracks, most typical first (then in id order)."""
    result.cluster(cluster_id)  # NotFoundError for an unknown id
    members = result.tracks_in(cluster_id)
    member_set = set(members)
    first = [t for t in result.examples.get(cluster_id, []) if t in member_set]
    lead = set(first)
    return first + sorted(t for t in members if t not in lead)


def cluster_name(cluster) -> str:
    return f"{NAME_PREFIX}{cluster.label}"


def cluster_description(cluster, n_tracks: int) -> str:
    reasons = "; ".join(cluster.reasons)
    text = f"{cluster.label}: {reasons}." if reasons else f"{cluster.label}."
    return f"{text} {n_tracks} tracks from your library, grouped by mood by spotui."


def export_cluster(
    client,
    store,
    config: Config,
    cluster_id: int,
    name: str | None = None,
    public: bool = False,
    dry_run: bool = False,
    *,
    result=None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export one mood cluster as a (private) playlist; see :func:`export_tracks`."""
    result = result or load_clusters(store)
    cluster = result.cluster(cluster_id)
    ids = cluster_tracks(result, cluster_id)
    return export_tracks(
        client,
        store,
        config,
        f"cluster:{cluster_id}",
        name or cluster_name(cluster),
        cluster_description(cluster, len(ids)),
        ids,
        public=public,
        dry_run=dry_run,
        progress=progress,
    )


def recommendation_target(seed_ids: Sequence[str] = (), cluster_id: int | None = None) -> str:
    """The export target of a recommendation list: same seeds, same playlist."""
    if cluster_id is not None:
        return f"recommend:cluster:{cluster_id}"
    return "recommend:" + ",".join(sorted({spotify_track_id(s) or s for s in seed_ids}))


def export_recommendations(
    client,
    store,
    config: Config,
    seed_ids: Sequence[str],
    n: int = 30,
    name: str | None = None,
    public: bool = False,
    dry_run: bool = False,
    *,
    new_only: bool = False,
    cluster_id: int | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the ``n`` tracks recommended for ``seed_ids`` (or a cluster) as a playlist."""
    from spotui.analysis.recommend import Recommender

    title = None
    if cluster_id is not None:
        seg = load_clusters(store)
        cluster = seg.cluster(cluster_id)
        seed_ids = seg.tracks_in(cluster_id)
        title = f"More like {cluster.label}"
    rec = Recommender.from_store(store)
    results = rec.recommend(list(seed_ids), n=n, new_only=new_only)
    if title is None:
        first = rec.track(rec.seed_rows(list(seed_ids))[0])
        title = f"Like {first.name}" + (
            f" and {len(seed_ids) - 1} more" if len(seed_ids) > 1 else ""
        )
        about = f"“{first.name}” by {first.artist_line or 'unknown artist'}"
    else:
        about = f"the mood cluster “{title[len('More like ') :]}”"
    description = (
        f"{len(results)} tracks that sound like {about}, picked by spotui from audio features."
    )
    return export_tracks(
        client,
        store,
        config,
        recommendation_target(seed_ids, cluster_id),
        name or f"{NAME_PREFIX}{title}",
        description,
        [r.track.id for r in results],
        public=public,
        dry_run=dry_run,
        progress=progress,
    )


# ====================================================================== offline files
@dataclass
class FileResult:
    path: Path
    fmt: str
    written: int
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = f"Wrote {self.written} tracks to {self.path} ({self.fmt})."
        if self.skipped:
            line += f" Skipped {len(self.skipped)}: " + "; ".join(
                f"{t} ({why})" for t, why in self.skipped
            )
        return line

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "format": self.fmt,
            "written": self.written,
            "skipped": [{"track_id": t, "reason": r} for t, r in self.skipped],
        }


def _fmt_number(v: float | int | None) -> str:
    """Shortest text that reads back as the same number (floats round-trip exactly)."""
    if v is None:
        return ""
    return repr(float(v)) if isinstance(v, float) else str(v)


def _local_uri(t: Track) -> str:
    """Spotify's own form for local files (``spotify:local:artist:album:title:seconds``);
    ``spotui import`` and Exportify tooling recognise and skip it."""
    secs = (t.duration_ms or 0) // 1000
    parts = [quote_plus(x) for x in (t.artist_line, t.album, t.name)]
    return "spotify:local:" + ":".join(parts) + f":{secs}"


def _csv_text(tracks: list[Track], features: dict[str, Features]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for t in tracks:
        f = features.get(t.id)
        feats = f.as_dict() if f else {}
        tid = spotify_track_id(t.id)
        row = {
            "Track URI": _uri(tid) if tid else _local_uri(t),
            "Track Name": t.name,
            "Album Name": t.album,
            "Artist Name(s)": ",".join(t.artists),
            "Release Date": t.release_date or "",
            "Duration (ms)": "" if t.duration_ms is None else str(t.duration_ms),
            "Genres": ",".join(t.genres),
            "ISRC": t.isrc or "",
        }
        for col, feat in EXPORTIFY_FEATURES.items():
            row[col] = _fmt_number(feats.get(feat))
        w.writerow([row.get(c, "") for c in CSV_COLUMNS])
    return buf.getvalue()


def _m3u_text(tracks: list[Track], title: str | None) -> tuple[str, list[tuple[str, str]]]:
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{title}")
    skipped = []
    for t in tracks:
        tid = spotify_track_id(t.id)
        if tid is None:
            skipped.append((t.id, "no Spotify link for a track imported without an id"))
            continue
        secs = -1 if t.duration_ms is None else round(t.duration_ms / 1000)
        who = f"{t.artist_line} - " if t.artists else ""
        lines.append(f"#EXTINF:{secs},{who}{t.name}".replace("\n", " "))
        lines.append(f"https://open.spotify.com/track/{tid}")
    return "\n".join(lines) + "\n", skipped


def _json_text(
    tracks: list[Track], features: dict[str, Features], title: str | None, description: str | None
) -> str:
    items = []
    for t in tracks:
        f = features.get(t.id)
        tid = spotify_track_id(t.id)
        items.append(
            {
                "id": t.id,
                "uri": _uri(tid) if tid else None,
                "name": t.name,
                "artists": list(t.artists),
                "album": t.album,
                "duration_ms": t.duration_ms,
                "release_date": t.release_date,
                "genres": list(t.genres),
                "isrc": t.isrc,
                "features": ({n: getattr(f, n) for n in FEATURE_NAMES} | {"provider": f.provider})
                if f
                else None,
            }
        )
    doc = {
        "format": "spotui-tracks",
        "version": 1,
        "title": title,
        "description": description,
        "exported_at": _now(),
        "tracks": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_file(
    store,
    track_ids: Sequence[str],
    fmt: str,
    out_path: str | Path,
    *,
    title: str | None = None,
    description: str | None = None,
) -> FileResult:
    """Write tracks to a CSV (Exportify layout), M3U or JSON file; no account needed.

    The file appears complete or not at all (written to a temporary file, then renamed).
    Unknown ids are skipped and reported.
    """
    if fmt not in FORMATS:
        raise UserError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    out_path = Path(out_path).expanduser()
    if out_path.is_dir():
        raise UserError(f"{out_path} is a directory; give a file name (e.g. {out_path}/mix.{fmt}).")
    ids, dups = _dedupe(list(track_ids))
    tracks = store.get_tracks(ids)
    found = {t.id for t in tracks}
    skipped = [(t, "unknown track") for t in ids if t not in found] + dups
    if fmt == "csv":
        text = _csv_text(tracks, store.get_features_many(ids))
        written = len(tracks)
    elif fmt == "m3u":
        text, more = _m3u_text(tracks, title)
        skipped += more
        written = len(tracks) - len(more)
    else:
        text = _json_text(tracks, store.get_features_many(ids), title, description)
        written = len(tracks)
    _atomic_write(out_path, text)
    return FileResult(out_path, fmt, written, skipped)


def _atomic_write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower()
    return s or "cluster"


def write_clusters(
    store, fmt: str, out_dir: str | Path, cluster_ids: Sequence[int] | None = None, *, result=None
) -> list[FileResult]:
    """One file per cluster (``03-calm-acoustic.csv``) in ``out_dir``."""
    result = result or load_clusters(store)
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} is a file; with --all, --out names a directory.")
    ids = list(cluster_ids) if cluster_ids is not None else [c.id for c in result.clusters]
    files = []
    for cid in ids:
        cluster = result.cluster(cid)
        tracks = cluster_tracks(result, cid)
        path = out_dir / f"{cid:02d}-{slug(cluster.label)}.{fmt}"
        files.append(
            write_file(
                store,
                tracks,
                fmt,
                path,
                title=cluster_name(cluster),
                description=cluster_description(cluster, len(tracks)),
            )
        )
    return files
