"""Spotify library -> store: saved tracks, playlists (+ items), top tracks, recent plays.

Design, and why:

* **Commit per page.** Every page is written in its own transaction together with a
  resume mark in ``sync_state``, so a killed sync loses at most the pages in flight and the
  next run continues where it stopped. Re-writing a page is idempotent (saved tracks are
  keyed by track id, playlist items by position), so resuming never duplicates anything.
  The marks belong to one run: a run whose marks another took over removes nothing.
* **Incremental.** Saved tracks come newest first: a re-sync reads from the top until it
  meets a track it already has with the same ``added_at``, then checks Spotify's ``total``
  against the stored count (plus previously skipped entries). Any disagreement means
  something was removed, and only then is the whole list re-read. A playlist is re-read
  only when its ``snapshot_id`` changed. An unchanged library costs 7 requests
  (/me, one saved page, one playlists page, three top ranges, recent plays).
* **Concurrent, single writer.** Once a first page gives the total, the remaining pages
  are fetched by a few threads (each with its own HTTP session, all sharing the client's
  rate budget); results come back to this thread, the only one that touches the store.
* **Only what a Development-Mode app may read.** Items are read only for playlists the
  user owns or collaborates on (others answer 403); a 403 anyway is noted, not fatal.
  Both the new ``item`` and the older ``track`` key of playlist entries are read.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from spotui.core.errors import JobRunningError, UserError
from spotui.core.progress import CancelCheck, Progress, Step, check_cancel, no_progress
from spotui.core.records import Playlist
from spotui.http import PAGE_LIMIT, HttpClient
from spotui.spotify.errors import SpotifyHTTPError
from spotui.spotify.parse import (
    PageTracks,
    classify,
    parse_playlist,
    playlist_entry_object,
)
from spotui.store import Store, now_iso

TIME_RANGES = ("short_term", "medium_term", "long_term")
#: The phases sync reports progress in (:class:`~spotui.core.progress.Step` messages), in order.
ACCOUNT, SAVED, PLAYLISTS, TOP, RECENT = (
    "Account", "Liked songs", "Playlists", "Top tracks", "Recently played",
)  # fmt: skip
PHASES = (ACCOUNT, SAVED, PLAYLISTS, TOP, RECENT)
DEFAULT_WORKERS = 6

_SAVED_FULL = "saved:full"
_SAVED_PAGE = "saved:page:"
_SAVED_SKIPPED = "saved:skipped"


@dataclass
class SourceCounts:
    added: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class SyncResult:
    sources: dict[str, SourceCounts] = field(
        default_factory=lambda: {
            k: SourceCounts() for k in ("saved", "playlists", "playlist_items", "top", "recent")
        }
    )
    skipped: dict[str, int] = field(
        default_factory=lambda: {"local": 0, "episodes": 0, "unavailable": 0}
    )
    #: names of playlists whose items Spotify refused (403) although the user owns or
    #: collaborates on them
    forbidden: list[str] = field(default_factory=list)
    #: followed playlists owned by others: Spotify does not give their items to new apps
    not_owned: int = 0
    full_saved_read: bool = False
    requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": {k: asdict(v) for k, v in self.sources.items()},
            "skipped": dict(self.skipped),
            "forbidden_playlists": list(self.forbidden),
            "not_owned_playlists": self.not_owned,
            "full_saved_read": self.full_saved_read,
            "requests": self.requests,
        }

    def summary(self) -> str:
        names = {
            "saved": "Liked songs",
            "playlists": "Playlists",
            "playlist_items": "Playlist items",
            "top": "Top tracks",
            "recent": "Recent plays",
        }
        lines = [
            f"{names[k]}: {v.added} added, {v.removed} removed, {v.unchanged} unchanged"
            for k, v in self.sources.items()
        ]
        skipped = [f"{n} {k}" for k, n in self.skipped.items() if n]
        if skipped:
            lines.append("Skipped (not songs spotui can use): " + ", ".join(skipped))
        if self.not_owned:
            few = "playlist is" if self.not_owned == 1 else "playlists are"
            lines.append(
                f"{self.not_owned} followed {few} owned by others; Spotify does not let new "
                "apps read their tracks."
            )
        if self.forbidden:
            lines.append("Spotify refused the tracks of: " + ", ".join(self.forbidden))
        lines.append(f"{self.requests} requests to Spotify.")
        return "\n".join(lines)


class _PlaylistPages:
    """Which pages of each playlist were asked for and which are still outstanding."""

    def __init__(self) -> None:
        self.requested: dict[str, set[int]] = {}
        self.remaining: dict[str, set[int]] = {}

    def plan(self, pid: str, total: int) -> list[tuple[str, int]]:
        """``(pid, offset)`` of pages not asked for yet (at least the first page)."""
        asked = self.requested.setdefault(pid, set())
        new = [o for o in range(0, max(total, 1), PAGE_LIMIT) if o not in asked]
        asked.update(new)
        self.remaining.setdefault(pid, set()).update(new)
        return [(pid, o) for o in new]

    def plan_listed(self, playlists: list[Playlist]) -> list[tuple[str, int]]:
        """Every page of every playlist, as long as the listing said it was."""
        return [job for p in playlists for job in self.plan(p.id, p.total or 0)]

    def done(self, pid: str, offset: int) -> bool:
        """Mark a page read; True once every page asked for has been."""
        self.remaining[pid].discard(offset)
        return not self.remaining[pid]


# ---------------------------------------------------------------------- the sync
def sync_library(
    store: Store,
    client: HttpClient,
    *,
    progress: Progress = no_progress,
    cancel: CancelCheck | None = None,
    workers: int = DEFAULT_WORKERS,
) -> SyncResult:
    """Bring the store up to date with the user's Spotify library; see the module doc."""
    return _Sync(store, client, progress, cancel, workers).run()


class _Sync:
    def __init__(
        self,
        store: Store,
        client: HttpClient,
        progress: Progress,
        cancel: CancelCheck | None,
        workers: int,
    ):
        self.store = store
        self.client = client
        self.progress = progress
        self.cancel = cancel
        self.workers = workers
        self.result = SyncResult()
        self.done = 0
        self.total = 0
        self._start_requests = client.request_count

    def _tick(self, message: Step, n: int = 1) -> None:
        self.done += n
        self.progress(self.done, max(self.total, self.done), message)

    def run(self) -> SyncResult:
        try:
            self.total = 5
            me = self.client.me() if hasattr(self.client, "me") else self.client.get("me")
            user_id = me.get("id") or ""
            known = self.store.library.get_sync_state("user_id")
            if known and known != user_id:
                raise UserError(
                    f"This library was synced from Spotify user {known!r}, but you are logged in "
                    f"as {user_id!r}. Log in as {known!r}, or use another data directory "
                    "(SPOTUI_DATA_DIR) for this account. Nothing was changed."
                )
            self.store.library.set_sync_state("user_id", user_id)
            self._tick(Step(ACCOUNT))
            check_cancel(self.cancel)
            self._sync_saved()
            check_cancel(self.cancel)
            self._sync_playlists(user_id)
            check_cancel(self.cancel)
            self._sync_top_and_recent()
            self.store.library.set_sync_state("last_sync", now_iso())
        finally:
            self.result.requests = self.client.request_count - self._start_requests
        return self.result

    # ------------------------------------------------------------------ saved tracks
    def _parse_saved(self, page: dict) -> tuple[PageTracks, list[tuple[str, str | None]], int]:
        tracks = PageTracks()
        rows: list[tuple[str, str | None]] = []
        skipped = 0
        for entry in page.get("items") or []:
            obj = entry.get("track")
            kind = classify(obj)
            if kind != "track":
                self.result.skipped[kind] += 1
                skipped += 1
                continue
            rows.append((tracks.add(obj), entry.get("added_at")))
        return tracks, rows, skipped

    def _sync_saved(self) -> None:
        first = self.client.get("me/tracks", {"limit": PAGE_LIMIT, "offset": 0})
        total = int(first.get("total") or 0)
        self._tick(Step(SAVED))
        stored = self.store.library.saved_added_at()
        resume_state = self.store.library.get_sync_state(_SAVED_FULL)
        if resume_state is None and stored and self._saved_incremental(first, total, stored):
            return
        self._saved_full(first, total, stored, resume_state)

    def _saved_incremental(self, first: dict, total: int, stored: dict[str, str | None]) -> bool:
        """Read new saves from the top; False if the counts say a full read is needed."""
        tracks, rows = _new_saves(self._pages_down_to_known(first, stored), stored)
        new_ids = {tid for tid, _ in rows if tid not in stored}
        skipped_before = int(self.store.library.get_sync_state(_SAVED_SKIPPED) or 0)
        if len(stored) + len(new_ids) + skipped_before != total:
            return False
        with self.store.transaction():
            tracks.write(self.store)
            self.store.library.add_saved(rows)
        c = self.result.sources["saved"]
        c.added = len(new_ids)
        c.unchanged = len(stored)
        return True

    def _pages_down_to_known(self, first: dict, stored: dict[str, str | None]) -> list[dict]:
        """Pages from the top down to the first that holds a save already stored (or the
        last page)."""
        pages: list[dict] = []
        page: dict | None = first
        while page is not None:
            pages.append(page)
            if _holds_known_save(page, stored) or not page.get("next"):
                break
            check_cancel(self.cancel)
            page = self.client.get(page["next"])
            self._tick(Step(SAVED, "new"))
        return pages

    def _saved_full(
        self, first: dict, total: int, stored: dict[str, str | None], resume_state: str | None
    ) -> None:
        self.result.full_saved_read = True
        first_ids = [(e.get("track") or {}).get("id") for e in first.get("items") or []]
        run = self._start_full_read(total, first_ids, _resumes(resume_state, total, first_ids))
        self._read_saved_pages(first, total)
        with self.store.transaction():  # check and remove under one write lock
            seen, skipped = self._seen_saved(run, total)
            # Every page is in: whatever is stored but was not seen was removed on Spotify.
            current = set(self.store.library.saved_added_at())
            self.store.library.remove_saved(current - seen)
            self.store.library.delete_sync_state_prefix(_SAVED_PAGE)
            self.store.library.set_sync_state(_SAVED_FULL, None)
            self.store.library.set_sync_state(_SAVED_SKIPPED, str(skipped))
        c = self.result.sources["saved"]
        before = set(stored)
        c.added = len(seen - before)
        c.removed = len(before - seen)
        c.unchanged = len(seen & before)

    def _start_full_read(self, total: int, first_ids: list, resume: bool) -> str:
        """Claim the page marks for a new run (kept when resuming, cleared otherwise)."""
        run = uuid.uuid4().hex  # the marks are this run's now (it may adopt a dead run's)
        with self.store.transaction():
            if not resume:
                self.store.library.delete_sync_state_prefix(_SAVED_PAGE)
            self.store.library.set_sync_state(
                _SAVED_FULL, json.dumps({"total": total, "first": first_ids, "run": run})
            )
        return run

    def _read_saved_pages(self, first: dict, total: int) -> None:
        """Every page not marked read yet (the first is in hand), each committed with its mark."""
        done = {
            int(k[len(_SAVED_PAGE) :])
            for k in self.store.library.sync_state_with_prefix(_SAVED_PAGE)
        }
        self._commit_saved_page(0, first)
        offsets = [o for o in range(PAGE_LIMIT, total, PAGE_LIMIT) if o not in done]
        self.total += len(offsets)
        self._tick(Step(SAVED), len(range(PAGE_LIMIT, total, PAGE_LIMIT)) - len(offsets))
        jobs = [(o, "me/tracks", {"limit": PAGE_LIMIT, "offset": o}) for o in offsets]
        for offset, page in self.client.get_many(jobs, workers=self.workers, cancel=self.cancel):
            self._commit_saved_page(offset, page)
            self._tick(Step(SAVED))

    def _seen_saved(self, run: str, total: int) -> tuple[set[str], int]:
        """Ids (and skipped count) of every page of this run's full read. If another run
        took the marks over or cleared them, they no longer say what this one saw."""
        state = json.loads(self.store.library.get_sync_state(_SAVED_FULL) or "{}")
        marks = self.store.library.sync_state_with_prefix(_SAVED_PAGE)
        offsets = {int(k[len(_SAVED_PAGE) :]) for k in marks}
        if state.get("run") != run or not offsets >= set(range(0, total, PAGE_LIMIT)):
            raise JobRunningError(
                "Another sync changed this library's liked songs while this one ran, so "
                "this one removed nothing. Run `spotui sync` again to bring it up to date."
            )
        seen: set[str] = set()
        skipped = 0
        for value in marks.values():
            mark = json.loads(value)
            seen.update(mark["ids"])
            skipped += mark["skipped"]
        return seen, skipped

    def _commit_saved_page(self, offset: int, page: dict) -> None:
        tracks, rows, skipped = self._parse_saved(page)
        mark = json.dumps({"ids": [tid for tid, _ in rows], "skipped": skipped})
        with self.store.transaction():
            tracks.write(self.store)
            self.store.library.add_saved(rows)
            self.store.library.set_sync_state(f"{_SAVED_PAGE}{offset}", mark)

    # ------------------------------------------------------------------ playlists
    def _sync_playlists(self, user_id: str) -> None:
        raw: list[dict] = []
        for page in self.client.pages("me/playlists"):
            raw.extend(p for p in page.get("items") or [] if p and p.get("id"))
            self._tick(Step(PLAYLISTS))
        playlists = [parse_playlist(p, user_id) for p in raw]
        before = self.store.library.playlist_sync_map()
        current = {p.id for p in playlists}
        gone = set(before) - current
        with self.store.transaction():
            self.store.library.upsert_playlists(playlists)
            self.store.library.delete_playlists(gone)
        pc = self.result.sources["playlists"]
        pc.added = len(current - set(before))
        pc.removed = len(gone)
        pc.unchanged = len(current & set(before))
        to_read = self._playlists_to_read(playlists, before)
        if to_read:
            self._read_playlist_items(to_read)

    def _playlists_to_read(
        self, playlists: list[Playlist], before: dict[str, tuple[str | None, str]]
    ) -> list[Playlist]:
        """Owned or collaborative playlists whose items changed; others are noted."""
        to_read: list[Playlist] = []
        for p in playlists:
            info = before.get(p.id)
            if not (p.owned or p.collaborative):
                self.result.not_owned += 1
                if info != (p.snapshot_id, "forbidden"):
                    self._forbid(p)
                continue
            if info == (p.snapshot_id, "ok"):
                self.result.sources["playlist_items"].unchanged += len(
                    self.store.library.playlist_track_ids(p.id)
                )
                continue
            to_read.append(p)
        return to_read

    def _forbid(self, p: Playlist) -> None:
        """No items for a playlist Spotify will not give us (its snapshot is remembered)."""
        with self.store.transaction():
            self.store.library.truncate_playlist_items(p.id, 0)
            self.store.library.set_playlist_items_status(p.id, "forbidden", p.snapshot_id)

    def _read_playlist_items(self, to_read: list[Playlist]) -> None:
        old_items = {p.id: Counter(self.store.library.playlist_track_ids(p.id)) for p in to_read}
        with self.store.transaction():
            for p in to_read:
                self.store.library.set_playlist_items_status(p.id, "pending", None)
        failed = self._fetch_playlist_pages(to_read)
        ic = self.result.sources["playlist_items"]
        for p in to_read:
            if p.id in failed:
                continue
            new = Counter(self.store.library.playlist_track_ids(p.id))
            old = old_items[p.id]
            ic.added += sum((new - old).values())
            ic.removed += sum((old - new).values())
            ic.unchanged += sum((new & old).values())

    def _fetch_playlist_pages(self, to_read: list[Playlist]) -> set[str]:
        """Read every page of the playlists concurrently; returns the ids Spotify refused."""
        by_id = {p.id: p for p in to_read}
        pages = _PlaylistPages()
        jobs = pages.plan_listed(to_read)
        self.total += len(jobs)
        failed: set[str] = set()
        while jobs:
            extra: list[tuple[str, int]] = []
            for (pid, offset), page in self.client.get_many(
                _playlist_requests(jobs),
                workers=self.workers,
                cancel=self.cancel,
                tolerate=_is_forbidden,
            ):
                p = by_id[pid]
                self._tick(Step(PLAYLISTS, p.name, text=f"Playlist {p.name}"))
                if pid in failed:
                    continue
                if isinstance(page, Exception):
                    failed.add(pid)
                    self.result.forbidden.append(p.name)
                    self._forbid(p)
                    continue
                extra += self._take_playlist_page(pages, p, offset, page)
            jobs = [j for j in extra if j[0] not in failed]
        return failed

    def _take_playlist_page(
        self, pages: _PlaylistPages, p: Playlist, offset: int, page: dict
    ) -> list[tuple[str, int]]:
        """Commit one page; returns the pages to read because the playlist grew since it
        was listed. Its last page marks the playlist read at its current length."""
        self._commit_playlist_page(p.id, offset, page)
        total = int(page.get("total") or 0)
        grown = pages.plan(p.id, total)
        self.total += len(grown)
        if pages.done(p.id, offset):
            with self.store.transaction():
                self.store.library.truncate_playlist_items(p.id, total)
                self.store.library.set_playlist_items_status(p.id, "ok", p.snapshot_id)
        return grown

    def _commit_playlist_page(self, pid: str, offset: int, page: dict) -> None:
        tracks = PageTracks()
        rows: list[tuple[int, str, str | None]] = []
        entries = page.get("items") or []
        for i, entry in enumerate(entries):
            obj = playlist_entry_object(entry)
            kind = classify(obj, bool(entry.get("is_local")))
            if kind != "track":
                self.result.skipped[kind] += 1
                continue
            rows.append((offset + i, tracks.add(obj), entry.get("added_at")))
        with self.store.transaction():
            tracks.write(self.store)
            self.store.library.replace_playlist_range(pid, offset, offset + PAGE_LIMIT, rows)

    # ------------------------------------------------------------------ top and recent
    def _sync_top_and_recent(self) -> None:
        jobs = [(r, "me/top/tracks", {"limit": PAGE_LIMIT, "time_range": r}) for r in TIME_RANGES]
        jobs.append(("recent", "me/player/recently-played", self._recent_params()))
        self.total += len(jobs) - 2
        results = dict(self.client.get_many(jobs, workers=self.workers, cancel=self.cancel))
        for r in TIME_RANGES:
            self._store_top(r, results[r])
            self._tick(Step(TOP))
        self._store_recent(results["recent"] or {})
        self._tick(Step(RECENT))

    def _recent_params(self) -> dict[str, Any]:
        """Plays since the last sync's cursor (Spotify keeps only the last 50 anyway)."""
        after = self.store.library.get_sync_state("recent:after")
        params: dict[str, Any] = {"limit": 50}
        if after:
            params["after"] = after
        return params

    def _store_top(self, time_range: str, page: dict) -> None:
        tracks = PageTracks()
        ids = []
        for obj in page.get("items") or []:
            if classify(obj) == "track":
                ids.append(tracks.add(obj))
        old = set(self.store.library.top_track_ids(time_range))
        with self.store.transaction():
            tracks.write(self.store)
            self.store.library.replace_top(time_range, ids)
        top = self.result.sources["top"]
        top.added += len(set(ids) - old)
        top.removed += len(old - set(ids))
        top.unchanged += len(set(ids) & old)

    def _store_recent(self, page: dict) -> None:
        tracks = PageTracks()
        plays = []
        for entry in page.get("items") or []:
            obj = entry.get("track")
            if classify(obj) == "track" and entry.get("played_at"):
                plays.append((entry["played_at"], tracks.add(obj)))
        with self.store.transaction():
            tracks.write(self.store)
            added = self.store.library.add_recent(plays)
            cursor = (page.get("cursors") or {}).get("after")
            if cursor:
                self.store.library.set_sync_state("recent:after", str(cursor))
        rc = self.result.sources["recent"]
        rc.added = added
        rc.unchanged = len(plays) - added


def _holds_known_save(page: dict, stored: dict[str, str | None]) -> bool:
    """A save stored with the same ``added_at`` (saved again later, it would be new)."""
    return any(
        (e.get("track") or {}).get("id") in stored and stored[e["track"]["id"]] == e.get("added_at")
        for e in page.get("items") or []
    )


def _new_saves(
    pages: list[dict], stored: dict[str, str | None]
) -> tuple[PageTracks, list[tuple[str, str | None]]]:
    """The saves on ``pages`` above those already stored (on each page, down to its first
    known one); entries that are not tracks are passed over."""
    tracks = PageTracks()
    rows: list[tuple[str, str | None]] = []
    for pg in pages:
        for entry in pg.get("items") or []:
            obj = entry.get("track")
            if classify(obj) != "track":
                continue
            if stored.get(obj["id"]) == entry.get("added_at"):
                break
            rows.append((tracks.add(obj), entry.get("added_at")))
    return tracks, rows


def _resumes(resume_state: str | None, total: int, first_ids: list) -> bool:
    """A full read stopped midway continues only while the list looks the same: its
    total and its first page unchanged."""
    try:
        state = json.loads(resume_state) if resume_state else None
    except ValueError:
        state = None
    return bool(state) and state.get("total") == total and state.get("first") == first_ids


def _playlist_requests(jobs: list[tuple[str, int]]) -> list[tuple[tuple[str, int], str, dict]]:
    return [
        ((pid, o), f"playlists/{pid}/items", {"limit": PAGE_LIMIT, "offset": o}) for pid, o in jobs
    ]


def _is_forbidden(exc: Exception) -> bool:
    return isinstance(exc, SpotifyHTTPError) and exc.status in (403, 404)
