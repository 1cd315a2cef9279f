"""Exporting to a playlist end to end: the plan (:mod:`spotui.export.playlists`, pure), then
either sent to Spotify (:mod:`spotui.export.send`) or, in ``--demo``, written to the outbox.

Why its own module: planning stays pure and below the sender, and the sender needs the
plan's types, so the step that uses both sits above both (no import goes both ways).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from spotui.config.env import Config
from spotui.core.errors import UserError
from spotui.core.progress import Progress
from spotui.export.outbox import write_outbox
from spotui.export.playlists import (
    ExportJob,
    ExportResult,
    dedupe,
    export_marker,
    with_marker,
)
from spotui.export.send import send_plan
from spotui.spotify.ids import split_spotify, track_uri


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
    marker = export_marker(store.exports.export_id(), target)
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
    return send_plan(client, store, job, result, progress)


def _planned(store, job: ExportJob, skipped: list, dry_run: bool) -> ExportResult:
    """The plan for ``job`` given what the store knows: the playlist it went to last time,
    or a create that got no answer (then the plan looks for it first)."""
    mapping = store.exports.get_export(job.target)
    pending = None if mapping else store.exports.get_pending_export(job.target)
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
    store.exports.set_export(result.target, pid, result.name, len(job.uris))
    return result
