"""Appending to a playlist the user owns: "extend this playlist in its own mood".

Why a plan of its own: a cluster export *replaces* the playlist spotui made for it; an
append adds to a playlist the user made, so it never replaces or removes anything. The
plan is only ``POST /playlists/{id}/items`` requests (no ``position``: at the end), 100
URIs each; ``--dry-run`` prints exactly these and the real path sends exactly them.

* **Nothing twice.** Tracks already in the playlist (as last synced, plus what spotui
  appended since) are skipped and reported; an add is never retried (a 5xx may still have
  added the tracks). After each request the store records what was added, so running the
  same append again after a failure does not add those tracks again.
* **Owned playlists only**, checked by the caller (:class:`spotui.session.facade.Session`);
  Spotify refuses the others with 403 anyway.
* **Demo mode** writes a ``playlist_append`` line to the outbox and records the tracks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spotui.config.env import Config
from spotui.core.errors import UserError
from spotui.core.progress import Progress
from spotui.core.records import Playlist
from spotui.core.text import count
from spotui.export.outbox import write_outbox
from spotui.export.playlists import (
    ExportIncomplete,
    PlannedRequest,
    chunks,
    dedupe,
    skipped_lines,
)
from spotui.http import ServiceError
from spotui.spotify.ids import split_spotify, track_uri


def plan_append(playlist_id: str, uris: Sequence[str]) -> list[PlannedRequest]:
    """The requests that add ``uris`` at the end of the playlist, 100 per request."""
    return [
        PlannedRequest("POST", f"playlists/{playlist_id}/items", {"uris": part})
        for part in chunks(list(uris))
    ]


@dataclass
class AppendResult:
    playlist_id: str
    name: str
    requests: list[PlannedRequest]
    track_count: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False
    demo: bool = False
    #: --demo: the outbox file the action was written to instead of Spotify
    outbox: str = ""

    def question(self) -> str:
        """The plan as a question to confirm (the TUI's dialog): what will be sent, without
        the dry run's "nothing was sent", which is no news before anything was asked."""
        tracks, requests = count(self.track_count, "track"), count(len(self.requests), "request")
        lines = [
            f"Add {tracks} to the end of “{self.name}” ({self.playlist_id}) in {requests}?",
            *(f"  {r.describe()}" for r in self.requests),
        ]
        return "\n".join(lines + skipped_lines(self.skipped))

    def summary(self) -> str:
        n, name = count(self.track_count, "track"), self.name
        requests = count(len(self.requests), "request")
        if self.dry_run:
            lines = [
                f"Would add {n} to the end of “{name}” ({self.playlist_id}) in "
                f"{requests} (dry run: nothing was sent):"
            ]
            lines += [f"  {r.describe()}" for r in self.requests]
        else:
            lines = [f"Added {n} to the end of “{name}” ({requests})."]
            if self.demo:
                lines.append(
                    f"Demo mode: written to {self.outbox or 'the demo outbox'}, nothing was sent "
                    "to Spotify."
                )
            else:
                lines.append(f"  https://open.spotify.com/playlist/{self.playlist_id}")
        return "\n".join(lines + skipped_lines(self.skipped))

    def as_dict(self) -> dict:
        return {
            "playlist_id": self.playlist_id,
            "name": self.name,
            "appended": True,
            "track_count": self.track_count,
            "dry_run": self.dry_run,
            "demo": self.demo,
            "requests": [r.as_dict() for r in self.requests],
            "skipped": [{"track_id": t, "reason": r} for t, r in self.skipped],
        }


def append_tracks(
    client,
    store,
    config: Config,
    playlist: Playlist,
    track_ids: Sequence[str],
    dry_run: bool = False,
    *,
    progress: Progress | None = None,
) -> AppendResult:
    """Add ``track_ids`` at the end of ``playlist`` (one the user owns), each once."""
    good, skipped = _tracks_to_add(store, playlist, track_ids)
    uris = [track_uri(t) for t in good]
    result = AppendResult(
        playlist.id, playlist.name, plan_append(playlist.id, uris), len(uris), skipped, dry_run
    )
    if dry_run:
        return result
    if client is None:
        if not config.demo:
            raise UserError("Adding to a Spotify playlist needs a login; run `spotui login`.")
        write_outbox(
            config,
            {"kind": "playlist_append", "playlist_id": playlist.id, "name": playlist.name,
             "uris": uris},
        )  # fmt: skip
        store.library.append_playlist_items(playlist.id, good)
        result.demo, result.outbox = True, str(config.outbox_path)
        return result
    _post_parts(client, store, playlist, good, result.requests, progress)
    return result


def _tracks_to_add(
    store, playlist: Playlist, track_ids: Sequence[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The Spotify tracks not in the playlist yet, each once, and why the others are left
    out; nothing left to add is the user's mistake, said before any plan."""
    present = set(store.library.playlist_track_ids(playlist.id))
    good, skipped = split_spotify(track_ids)
    good, dups = dedupe(good)
    skipped += dups
    skipped += [(t, "already in the playlist") for t in good if t in present]
    good = [t for t in good if t not in present]
    if not good:
        raise UserError(f"Nothing to add to “{playlist.name}”: every track is already in it.")
    return good, skipped


def _post_parts(
    client,
    store,
    playlist: Playlist,
    good: list[str],
    requests: list[PlannedRequest],
    progress: Progress | None,
) -> None:
    """Send the plan; each part is recorded as soon as Spotify took it, so a failure
    midway says how many were added and a rerun never adds them again."""
    added = 0
    try:
        for req, part in zip(requests, chunks(good), strict=True):
            client.post(req.path, json=req.body)  # not retried: a retry could add twice
            store.library.append_playlist_items(playlist.id, part)
            added += len(part)
            if progress is not None:
                progress(added, len(good), "adding tracks")
    except ServiceError as exc:
        raise ExportIncomplete(
            f"{exc} — {added} of {len(good)} tracks were added to “{playlist.name}”. spotui "
            "remembers them: running the command again never adds a track twice."
        ) from exc
