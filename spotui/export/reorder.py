"""Reordering a playlist the user owns in place: the same tracks, in a new order.

Why its own plan and checks, unlike an export or an append:

* **The playlist must be the one spotui read.** The new order is computed from the items
  stored at the last sync; if the playlist changed on Spotify since (its ``snapshot_id``
  differs from the one the sync read the items at), writing that order would drop what the
  user added or bring back what they removed. So before any write one
  ``GET /playlists/{id}`` compares the snapshots, and a difference stops with
  :data:`CHANGED` ("run `spotui sync`"), having written nothing.
* **The cheaper of two plans, by requests.** Spotify offers a *replace* (``PUT
  /playlists/{id}/items`` with ``uris``, 100 at most, then ``POST`` the rest: ceil(n/100)
  requests) and a *move* (the same ``PUT`` with ``range_start``, ``insert_before`` and
  ``range_length``: one run of adjacent tracks per request). :func:`plan_moves` finds the
  moves greedily (position by position, each move taking the longest run that is already in
  the target order). For a real reorder the moves are many (measured on the demo
  playlists, 118-197 tracks, each arc: 81-190 moves against 2 replace requests; random
  orders of 100 and 500 tracks: ~91 and ~489 moves against 1 and 5), so a replace it is,
  plus one snapshot check and ceil(n/50) reads to verify; moves win only when a few tracks
  are out of place (one track moved is one move), and on a tie moves are chosen, because a
  move keeps each item's "date added" and is one atomic request where a replace of more
  than 100 tracks leaves the playlist short between its requests.
* **Verified.** After writing, the items are read back and must be exactly the new order;
  only then is the store updated (items, snapshot), so the next run sees the playlist as
  it is and finds it already in order: no write at all (idempotent).
* **Resumable.** Before the first write the state and snapshot are recorded (sync state
  ``reorder:<id>``) and updated after each request Spotify answered; a run that failed
  midway is finished by the next one (its snapshot is the recorded one), never restarted
  on a playlist in an unknown state.
* **Only tracks spotui stores.** A playlist holding local files or episodes (which spotui
  does not store) is refused: a replace would drop them and moves would be off by them.
* ``--dry-run`` plans from the store and sends nothing (not even the snapshot check);
  **demo mode** writes a ``playlist_reorder`` line to the outbox and updates the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from spotui.config.env import Config
from spotui.core.errors import UserError
from spotui.core.progress import Progress
from spotui.core.records import Playlist
from spotui.core.text import count
from spotui.export.outbox import write_outbox
from spotui.export.playlists import CHUNK_SIZE, PlannedRequest, chunks
from spotui.export.send import carried_out
from spotui.http import ServiceError
from spotui.spotify.ids import track_uri
from spotui.spotify.parse import playlist_entry_object

MOVES, REPLACE = "moves", "replace"
#: The sync-state key of a reorder under way (its state and snapshot after each request).
PENDING = "reorder:"

CHANGED = (
    "“{name}” changed on Spotify since spotui last read it (snapshot {remote}, spotui read "
    "{stored}); nothing was written. Run `spotui sync`, then order it again."
)
NOT_READ = "spotui has not read all of “{name}” yet; run `spotui sync` first. Nothing was written."


@dataclass(frozen=True)
class Move:
    """One move: ``length`` tracks from ``start`` put before position ``before`` (both
    positions as the playlist is before the move, as Spotify reads them)."""

    start: int
    before: int
    length: int = 1

    def body(self) -> dict:
        return {
            "range_start": self.start,
            "insert_before": self.before,
            "range_length": self.length,
        }


def apply_move(seq: Sequence[str], move: Move) -> list[str]:
    """``seq`` after ``move``, as Spotify applies it."""
    s, n = move.start, move.length
    block, rest = list(seq[s : s + n]), list(seq[:s]) + list(seq[s + n :])
    at = move.before if move.before <= s else move.before - n
    return rest[:at] + block + rest[at:]


def plan_moves(current: Sequence[str], target: Sequence[str]) -> list[Move]:
    """Moves that turn ``current`` into ``target`` (the same tracks, each once): at the first
    position that differs, the track that belongs there is moved in with the longest run
    after it that is already in the target's order."""
    if sorted(current) != sorted(target):
        raise ValueError("a reorder keeps the same tracks")
    state, moves = list(current), []
    where = {t: i for i, t in enumerate(state)}
    for i, want in enumerate(target):
        if state[i] == want:
            continue
        j = where[want]
        n = 1
        while j + n < len(state) and i + n < len(target) and state[j + n] == target[i + n]:
            n += 1
        move = Move(j, i, n)
        moves.append(move)
        state = apply_move(state, move)
        where = {t: k for k, t in enumerate(state)}
    return moves


def plan_replace(playlist_id: str, uris: Sequence[str]) -> list[PlannedRequest]:
    path = f"playlists/{playlist_id}/items"
    return [
        PlannedRequest("PUT" if i == 0 else "POST", path, {"uris": part})
        for i, part in enumerate(chunks(list(uris)))
    ]


def plan_reorder(
    playlist_id: str, current: Sequence[str], target: Sequence[str]
) -> tuple[str, list[PlannedRequest]]:
    """The strategy (:data:`MOVES` or :data:`REPLACE`) and its requests; nothing when the
    playlist is already in order. A ``current`` that is the start of ``target`` (a replace
    an earlier run left after its first requests) is finished with the adds still due."""
    path = f"playlists/{playlist_id}/items"
    if len(current) < len(target) and list(target[: len(current)]) == list(current):
        rest = [track_uri(t) for t in target[len(current) :]]
        return REPLACE, [PlannedRequest("POST", path, {"uris": part}) for part in chunks(rest)]
    moves = plan_moves(current, target)
    if len(moves) <= -(-len(target) // CHUNK_SIZE):
        return MOVES, [PlannedRequest("PUT", path, m.body()) for m in moves]
    return REPLACE, plan_replace(playlist_id, [track_uri(t) for t in target])


@dataclass
class ReorderResult:
    playlist_id: str
    name: str
    arc: str
    strategy: str
    requests: list[PlannedRequest]
    track_count: int
    #: already in this order: nothing to write
    unchanged: bool = False
    dry_run: bool = False
    demo: bool = False
    outbox: str = ""
    #: the items read back matched the new order exactly
    verified: bool = False
    #: a reorder left unfinished by an earlier run was finished
    resumed: bool = False
    snapshot_id: str | None = None
    order: list[str] = field(default_factory=list)

    def _plan_line(self) -> str:
        how = "replacing its items" if self.strategy == REPLACE else "moving tracks"
        return f"{count(len(self.requests), 'request')} ({how})"

    def summary(self) -> str:
        name, arc = self.name, self.arc
        if self.unchanged:
            return f"“{name}” ({self.playlist_id}) is already in the {arc} order; nothing to write."
        if self.dry_run:
            lines = [
                f"Would reorder the {count(self.track_count, 'track')} of “{name}” "
                f"({self.playlist_id}) into the {arc} order in {self._plan_line()} "
                "(dry run: nothing was sent):"
            ]
            return "\n".join(lines + [f"  {r.describe()}" for r in self.requests])
        lines = [
            f"Reordered the {count(self.track_count, 'track')} of “{name}” into the {arc} "
            f"order in {self._plan_line()}."
        ]
        if self.resumed:
            lines.append("  (finished the reorder an earlier run left unfinished)")
        if self.demo:
            lines.append(
                f"Demo mode: written to {self.outbox or 'the demo outbox'}, nothing was sent "
                "to Spotify."
            )
        else:
            lines.append("  Read back from Spotify: the playlist is in exactly this order.")
            lines.append(f"  https://open.spotify.com/playlist/{self.playlist_id}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "playlist_id": self.playlist_id,
            "name": self.name,
            "arc": self.arc,
            "strategy": self.strategy,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "demo": self.demo,
            "verified": self.verified,
            "resumed": self.resumed,
            "track_count": self.track_count,
            "snapshot_id": self.snapshot_id,
            "requests": [r.as_dict() for r in self.requests],
            "order": list(self.order),
        }


class SnapshotChanged(UserError):
    """The playlist changed on Spotify since the last sync: nothing was written."""


class ReorderIncomplete(UserError):
    """A write failed midway; what the playlist holds is said, and a rerun finishes it."""


class ReorderNotVerified(UserError):
    """The items read back are not the order written."""


def reorder_playlist(
    client,
    store,
    config: Config,
    playlist: Playlist,
    target: Sequence[str],
    arc: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ReorderResult:
    """Put ``playlist``'s stored tracks into the order ``target`` (the same tracks)."""
    pid = playlist.id
    current = store.library.playlist_track_ids(pid)
    _check_tracks(playlist, current, target)
    state = list(current)
    resumed = False
    snapshot = None
    if not dry_run and client is not None:
        snapshot, state, resumed = _current_state(client, store, playlist, current)
    target = list(target)
    result = ReorderResult(pid, playlist.name, arc, MOVES, [], len(target), order=target)
    result.dry_run, result.resumed, result.snapshot_id = dry_run, resumed, snapshot
    if state == target:
        result.unchanged = not resumed
        if resumed:  # the last request of an earlier run did finish it
            _finish(client, store, playlist, target, snapshot, result)
        return result
    result.strategy, result.requests = plan_reorder(pid, state, target)
    if dry_run:
        return result
    if client is None:
        if not config.demo:
            raise UserError("Reordering a Spotify playlist needs a login; run `spotui login`.")
        write_outbox(
            config,
            {"kind": "playlist_reorder", "playlist_id": pid, "name": playlist.name, "arc": arc,
             "strategy": result.strategy, "uris": [track_uri(t) for t in target],
             "requests": [r.as_dict() for r in result.requests]},
        )  # fmt: skip
        _store_order(store, playlist, target, playlist.snapshot_id)
        result.demo, result.outbox = True, str(config.outbox_path)
        return result
    snapshot = _send(client, store, playlist, state, result, snapshot, progress)
    _finish(client, store, playlist, target, snapshot, result)
    return result


def _check_tracks(playlist: Playlist, current: list[str], target: Sequence[str]) -> None:
    """Refusals known from the store alone (so a dry run says them too)."""
    name = playlist.name
    if not current:
        raise UserError(f"“{name}” has no tracks spotui knows of; run `spotui sync`.")
    if len(set(current)) != len(current):
        twice = len(current) - len(set(current))
        raise UserError(
            f"“{name}” holds {count(twice, 'track')} more than once; spotui orders each "
            "track once, so it does not rewrite this playlist. Nothing was written."
        )
    if playlist.total is not None and playlist.total != len(current):
        other = playlist.total - len(current)
        raise UserError(
            f"“{name}” holds {count(other, 'item')} spotui does not store (local files or "
            "episodes); reordering it would drop or misplace them. Nothing was written."
        )
    if sorted(current) != sorted(target):
        raise UserError(f"The new order of “{name}” does not hold exactly its tracks.")


def _current_state(
    client, store, playlist: Playlist, stored: list[str]
) -> tuple[str | None, list[str], bool]:
    """Spotify's snapshot, the order the playlist is in and whether an earlier run's
    unfinished reorder is taken up; :class:`SnapshotChanged` if it is neither the order the
    sync read nor where an earlier reorder stopped."""
    remote = (client.get(f"playlists/{playlist.id}", {"fields": "snapshot_id"}) or {}).get(
        "snapshot_id"
    )
    pending = _pending(store, playlist.id)
    if pending is not None and remote is not None and pending.get("snapshot") == remote:
        return remote, list(pending["state"]), True
    read_at, status = store.library.playlist_sync_map().get(playlist.id, (None, "pending"))
    if status != "ok" or read_at is None:
        raise SnapshotChanged(NOT_READ.format(name=playlist.name))
    if remote != read_at:
        raise SnapshotChanged(CHANGED.format(name=playlist.name, remote=remote, stored=read_at))
    if pending is not None:  # a record from a run whose playlist was synced since
        store.library.set_sync_state(PENDING + playlist.id, None)
    return remote, list(stored), False


def _pending(store, pid: str) -> dict | None:
    raw = store.library.get_sync_state(PENDING + pid)
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("state"), list) else None


def _remember(store, pid: str, state: list[str], snapshot: str | None) -> None:
    store.library.set_sync_state(PENDING + pid, json.dumps({"snapshot": snapshot, "state": state}))


def _send(
    client,
    store,
    playlist: Playlist,
    state: list[str],
    result: ReorderResult,
    snapshot: str | None,
    progress: Progress | None,
) -> str | None:
    """Send the plan; after each answered request the state it left is recorded."""
    pid, target = playlist.id, result.order
    _remember(store, pid, state, snapshot)
    for done, req in enumerate(result.requests, 1):
        try:
            # a move repeated would move again, an add would add twice: only the replace
            # (PUT uris) is safe to resend
            resend = req.method == "PUT" and "uris" in req.body
            answer = client.request(req.method, req.path, json=req.body, idempotent=resend)
        except ServiceError as exc:
            raise ReorderIncomplete(_incomplete(exc, playlist, done - 1, result)) from exc
        if "uris" in req.body:
            state = (state if req.method == "POST" else []) + [
                u.rsplit(":", 1)[-1] for u in req.body["uris"]
            ]
        else:
            b = req.body
            state = apply_move(state, Move(b["range_start"], b["insert_before"], b["range_length"]))
        snapshot = (answer or {}).get("snapshot_id") if isinstance(answer, dict) else None
        _remember(store, pid, state, snapshot)
        if progress is not None:
            progress(done, len(result.requests), "reordering")
    if state != target:  # cannot happen unless the plan is wrong; never store a wrong order
        raise ReorderNotVerified(f"The plan for “{playlist.name}” did not reach the new order.")
    return snapshot


def _incomplete(exc: ServiceError, playlist: Playlist, done: int, result: ReorderResult) -> str:
    sent = f"after {done} of {count(len(result.requests), 'request')}"
    if carried_out(exc) is False:
        return (
            f"{exc} — reordering “{playlist.name}” stopped {sent}; spotui recorded where it "
            "got to: run the same command again to finish it."
        )
    return (
        f"{exc} — reordering “{playlist.name}” stopped {sent}, and Spotify may or may not "
        "have carried out the last one. Run `spotui sync`, then order it again."
    )


def _finish(
    client, store, playlist: Playlist, target: list[str], snapshot: str | None, result
) -> None:
    """Read the items back; only an exact match is stored as the playlist's order."""
    entries = list(client.paginate(f"playlists/{playlist.id}/items"))
    got = [(playlist_entry_object(e) or {}).get("id") for e in entries]
    if got != target:
        first = next(
            (i for i, (a, b) in enumerate(zip(got, target, strict=False)) if a != b),
            min(len(got), len(target)),
        )
        raise ReorderNotVerified(
            f"Spotify's “{playlist.name}” is not in the order spotui wrote (position "
            f"{first + 1} differs; {count(len(got), 'item')} read back, {len(target)} "
            "written). Run `spotui sync` to see it as it is."
        )
    added = [e.get("added_at") for e in entries]
    _store_order(store, playlist, target, snapshot, added)
    store.library.set_sync_state(PENDING + playlist.id, None)
    result.verified = True
    result.snapshot_id = snapshot


def _store_order(
    store,
    playlist: Playlist,
    order: list[str],
    snapshot: str | None,
    added: Sequence[str | None] | None = None,
) -> None:
    """The playlist as it now is on Spotify: these items (added when Spotify says), read at
    ``snapshot``."""
    added = added or [None] * len(order)
    with store.transaction():
        store.library.upsert_playlists([replace(playlist, snapshot_id=snapshot)])
        store.library.put_playlist_items(playlist.id, 0, list(zip(order, added, strict=True)))
        store.library.truncate_playlist_items(playlist.id, len(order))
        store.library.set_playlist_items_status(playlist.id, "ok", snapshot)
