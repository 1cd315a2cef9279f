"""Sending an export plan to Spotify: each planned request in order, and nothing else.

Why a small state machine instead of one function per case: the plan is the contract
(``--dry-run`` shows it, tests compare it with what the fake server received), so the
sender walks it step by step. Only two answers change the rest of the plan, and then it
is planned again (purely) from what was learnt: the lookup of a pending create found
the playlist (set its details and replace its tracks instead of creating one), or the
stored playlist answered 404 (the user deleted it: create a new one).

Why each failure has its own message: a write that got no clear answer (a 5xx, a
timeout) may have been carried out, and the user is told exactly that, with what a
second run will do. Nothing here says "nothing was lost" unless it is known.
"""

from __future__ import annotations

from spotui.core.progress import Progress
from spotui.export.playlists import (
    ExportIncomplete,
    ExportJob,
    ExportResult,
    ExportUncertain,
    PlannedRequest,
)
from spotui.http import HTTPStatusError, OfflineError, ServiceError

AGAIN = (
    "Run the same export again to finish it: it replaces the playlist's tracks, nothing is "
    "duplicated."
)


def carried_out(exc: ServiceError) -> bool | None:
    """Whether the failed write took effect: False when known not to, None when unknown."""
    if isinstance(exc, HTTPStatusError):
        return None if exc.status >= 500 else False
    if isinstance(exc, OfflineError):
        return None if exc.maybe_sent else False
    return False  # 401 before a refresh, 429: Spotify did not act on the request


def send_plan(
    client, store, job: ExportJob, result: ExportResult, progress: Progress | None = None
) -> ExportResult:
    """Send ``result.requests`` (the plan); on return ``result.requests`` is what was sent."""
    _Sender(client, store, job, result, progress).run()
    return result


class _Sender:
    def __init__(self, client, store, job: ExportJob, result: ExportResult, progress):
        self.client = client
        self.store = store
        self.job = job
        self.result = result
        self.progress = progress
        self.todo = list(result.requests)
        self.sent: list[PlannedRequest] = []
        self.pid = result.playlist_id
        self.added = 0  # tracks known to be in the playlist from this run

    def run(self) -> None:
        while self.todo:
            req = self.todo.pop(0)
            if self.pid is not None:
                req = req.for_playlist(self.pid)
            getattr(self, "_" + req.step)(req)
        job = self.job
        self.store.exports.set_export(job.target, self.pid, job.name, len(job.uris))
        self.store.exports.clear_pending_export(job.target)
        self.result.playlist_id = self.pid
        self.result.requests = self.sent

    def _send(self, req: PlannedRequest, *, idempotent: bool = False):
        try:
            answer = self.client.request(req.method, req.path, json=req.body, idempotent=idempotent)
        except HTTPStatusError:
            self.sent.append(req)  # it arrived; the answer was an error
            raise
        self.sent.append(req)
        return answer

    # ------------------------------------------------------------------ the steps
    def _find(self, req: PlannedRequest) -> None:
        """Look for the playlist a create that got no answer may have made."""
        marker = self.result.lookup or self.job.marker
        found = [
            p["id"]
            for p in self.client.paginate("me/playlists")
            if isinstance(p, dict) and p.get("id") and marker in (p.get("description") or "")
        ]
        self.sent.append(req)
        if not found:
            return  # it was never made: the create that follows in the plan makes it
        self.pid = found[0]
        self.result.also_marked = found[1:]
        pending = self.store.exports.get_pending_export(self.job.target)
        made_as = pending.name if pending else self.job.name
        self.store.exports.set_export(self.job.target, self.pid, made_as, 0)
        self.store.exports.clear_pending_export(self.job.target)
        if made_as != self.job.name:
            self.result.renamed_from = made_as
        self.result.reconciled = self.result.replaced = True
        self.result.created = False
        self.todo = self.job.plan(self.pid)

    def _create(self, req: PlannedRequest) -> None:
        job = self.job
        # Recorded first: if no answer comes back, the next run looks before creating.
        self.store.exports.set_pending_export(job.target, job.name, job.marker)
        try:
            created = self._send(req) or {}
        except ServiceError as exc:
            if carried_out(exc) is False:
                self.store.exports.clear_pending_export(job.target)
                raise
            raise ExportUncertain(_uncertain_create(exc, job)) from exc
        pid = created.get("id") if isinstance(created, dict) else None
        if not pid:
            raise ExportUncertain(
                f"Spotify answered the request creating “{job.name}” without the new "
                f"playlist's id; it may exist on your account. {_reconcile(job)}"
            )
        # Remember it now: if adding fails half-way, the next run replaces, never duplicates.
        self.store.exports.set_export(job.target, pid, job.name, 0)
        self.store.exports.clear_pending_export(job.target)
        self.pid = pid
        self.result.created = True  # also after a deletion (``recreated`` says why)

    def _details(self, req: PlannedRequest) -> None:
        """Name, privacy and description; a 404 means the user deleted the playlist."""
        try:
            self._send(req, idempotent=True)  # PUT sets, so repeating it is harmless
        except HTTPStatusError as exc:
            if exc.status == 404:
                self._deleted()
                return
            raise ExportIncomplete(
                f"{exc} — setting the name, privacy and description of “{self.job.name}” "
                "failed; its tracks were not touched. Run the same export again."
            ) from exc

    def _deleted(self) -> None:
        self.store.exports.delete_export(self.job.target)
        self.pid = None
        self.result.recreated = True
        self.result.replaced = False
        self.result.renamed_from = None
        self.todo = self.job.plan(None)

    def _replace(self, req: PlannedRequest) -> None:
        part = len(req.body["uris"])
        try:
            self._send(req, idempotent=True)  # PUT overwrites, so repeating it is harmless
        except ServiceError as exc:
            if carried_out(exc) is False:
                holds = "still holds its previous tracks"
            else:
                holds = f"holds either its previous tracks or the first {part} of the new ones"
            raise ExportIncomplete(
                f"{exc} — replacing the tracks of “{self.job.name}” failed: it {holds}. {AGAIN}"
            ) from exc
        self._count(part)

    def _add(self, req: PlannedRequest) -> None:
        part = len(req.body["uris"])
        try:
            self._send(req)  # not retried: a retry could add the tracks twice
        except ServiceError as exc:
            total, have = len(self.job.uris), self.added
            if carried_out(exc) is False:
                holds = f"holds only {have} of {total} tracks"
            else:
                holds = (
                    f"holds {have} or {have + part} of {total} tracks (Spotify may have "
                    f"added the last {part} before failing)"
                )
            raise ExportIncomplete(
                f"{exc} — the playlist “{self.job.name}” exists but {holds}. {AGAIN}"
            ) from exc
        self._count(part)

    def _count(self, part: int) -> None:
        self.added = min(self.added + part, len(self.job.uris))
        if self.progress is not None:
            self.progress(self.added, len(self.job.uris), "adding tracks")


def _reconcile(job: ExportJob) -> str:
    return (
        "Run the same export again to reconcile: spotui first looks among your playlists "
        f"for the one whose description holds {job.marker}, and creates one only if there "
        "is none."
    )


def _uncertain_create(exc: ServiceError, job: ExportJob) -> str:
    if isinstance(exc, OfflineError):
        what = "timed out" if "Timeout" in exc.cause else f"got no answer ({exc.cause})"
        head = f"The request creating the playlist “{job.name}” {what}"
    else:
        head = str(exc).rstrip(".") + f" — the request creating the playlist “{job.name}” failed"
    return f"{head}; it may exist on your account. {_reconcile(job)}"
