"""The shared HTTP client: JSON over ``requests`` with the care a user's account needs.

Why our own ``requests`` calls instead of ``spotipy.Spotify``: spotipy's defaults retry 429
and 5xx inside urllib3 (sleeping up to hours on a Retry-After, retrying POSTs such as
"add to queue", and reporting an exhausted 5xx as a 429 with the body and headers lost),
and one spotipy instance shares one ``requests.Session`` across threads. What spotui needs
is small and precise, and the same for Spotify and ReccoBeats:

* one session per thread (``threading.local``), so sync can fetch pages concurrently;
* a :class:`RateBudget` shared by all threads: a cap on requests in flight and, after a
  429, every worker waits for ``Retry-After`` (capped; ``QUOTA_EXCEEDED`` or longer waits
  raise :class:`RateLimited` instead of sleeping);
* GETs retried with exponential backoff on 5xx and connection errors; a POST/PUT/DELETE is
  never retried blindly (only after 401/429, where the server did not act on it);
* a 401 triggers one token refresh when the caller gave a ``refresh``;
* absolute ``next`` links followed as they are.

Errors are :class:`ServiceError` kinds naming the service; a subclass maps statuses to its
own types (:class:`spotui.spotify.client.SpotifyClient` raises Spotify's).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests
from urllib3.exceptions import NewConnectionError

from spotui.core.errors import UserError
from spotui.core.progress import CancelCheck, check_cancel


class ServiceError(UserError):
    """Base class for everything that went wrong talking to a web service."""


class OfflineError(ServiceError):
    """The server could not be reached, or the connection broke before its answer came.

    ``maybe_sent`` is True when the request may have reached the server (a read timeout
    or a connection dropped after sending): for a write that means it may have been done.
    """

    def __init__(self, message: str, *, maybe_sent: bool = False, cause: str = ""):
        super().__init__(message)
        self.maybe_sent = maybe_sent
        self.cause = cause


class RateLimited(ServiceError):
    """A 429 we will not sit out: a quota lock or a Retry-After longer than our cap."""

    def __init__(self, retry_after: float, reason: str | None = None, service: str = "Spotify"):
        self.retry_after = retry_after
        self.reason = reason
        wait = _human_seconds(retry_after)
        if reason == "QUOTA_EXCEEDED":
            msg = (
                f"{service} says the developer quota of your app is used up (QUOTA_EXCEEDED) "
                f"and asks to wait {wait}. Try again later; everything synced so far is kept."
            )
        else:
            msg = (
                f"{service} is rate limiting spotui and asks to wait {wait}. "
                "Try again later; everything synced so far is kept."
            )
        super().__init__(msg)


class HTTPStatusError(ServiceError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        message: str = "",
        *,
        method: str = "",
        path: str = "",
        service: str = "Spotify",
    ):
        self.status = status
        self.reason = reason
        self.message = message
        self.method = method
        self.path = path
        where = f" for {method} {path}" if method else ""
        detail = f": {message}" if message else ""
        super().__init__(f"{service} answered {status}{where}{detail}")


def _human_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


DEFAULT_TIMEOUT = 15.0
PAGE_LIMIT = 50
MAX_RETRY_AFTER = 60.0
USER_AGENT = "spotui (+https://github.com/spotui)"


class RateBudget:
    """Shared pacing for every thread of one client.

    ``max_in_flight`` caps concurrent requests; ``per_second`` (optional) spaces request
    starts; :meth:`pause` (called on a 429) makes every thread wait until the server's
    Retry-After has passed before its next request.
    """

    def __init__(
        self,
        max_in_flight: int = 8,
        per_second: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.max_in_flight = max_in_flight
        self._sem = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Lock()
        self._interval = 1.0 / per_second if per_second else 0.0
        self._next_start = 0.0
        self._paused_until = 0.0
        self._sleep = sleep
        self.waited = 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def acquire(self) -> None:
        self._sem.acquire()
        try:
            while True:
                with self._lock:
                    now = time.monotonic()
                    wait_for = max(self._paused_until, self._next_start) - now
                    if wait_for <= 0:
                        self._next_start = now + self._interval
                        return
                self.waited += wait_for
                self._sleep(min(wait_for, 1.0))
        except BaseException:
            self._sem.release()
            raise

    def release(self) -> None:
        self._sem.release()


@dataclass
class _Tries:
    """What one request has used up of its retries."""

    attempt: int = 0  # backoffs after connection errors and 5xx (idempotent requests only)
    rate_limited: int = 0  # 429s sat out
    refreshed: bool = False  # the one token refresh after a 401


class HttpClient:
    """JSON over HTTP with retries, rate limiting and per-thread sessions.

    ``token`` returns the bearer token to send (None: no auth); ``refresh(failed_token)``
    is called once on a 401. ``service`` names the server in user messages.
    """

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        token: Callable[[], str] | None = None,
        refresh: Callable[[str], None] | None = None,
        budget: RateBudget | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = MAX_RETRY_AFTER,
        max_429_retries: int = 5,
    ):
        self.base_url = base_url.rstrip("/")
        self.service = service
        self._token = token
        self._refresh = refresh
        self.budget = budget or RateBudget()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_429_retries = max_429_retries
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self._sessions: list[requests.Session] = []
        self.request_count = 0

    # ------------------------------------------------------------------ plumbing
    def session(self) -> requests.Session:
        """This thread's session (requests sessions are not safe to share across threads)."""
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = USER_AGENT
            self._local.session = s
            with self._count_lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._count_lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def _short(self, url: str) -> str:
        return urlparse(url).path

    # ------------------------------------------------------------------ the request loop
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON body (None when empty)."""
        method = method.upper()
        url = self.url(path_or_url)
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        tries = _Tries()
        while True:
            token = self._token() if self._token else None
            resp = self._send(method, url, params, json, token, idempotent, tries)
            if resp is None:
                continue  # a connection error, retried after a backoff
            if resp.status_code < 400:
                if resp.status_code == 204 or not resp.content:
                    return None
                try:
                    return resp.json()
                except ValueError:
                    return None
            reason, message = _error_details(resp)
            if not self._resend(resp, reason, token, idempotent, tries):
                raise self.error_for(resp.status_code, reason, message, method, self._short(url))

    def _send(
        self,
        method: str,
        url: str,
        params: dict | None,
        json: Any,
        token: str | None,
        idempotent: bool,
        tries: _Tries,
    ) -> requests.Response | None:
        """One attempt; None after a connection error that may be retried (backoff done)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.budget.acquire()
        try:
            return self.session().request(
                method, url, params=params, json=json, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            if idempotent and tries.attempt < self.retries:
                self._backoff(tries.attempt)
                tries.attempt += 1
                return None
            raise _offline(self.service, url, exc, idempotent) from None
        finally:
            self.budget.release()
            with self._count_lock:
                self.request_count += 1

    def _resend(
        self,
        resp: requests.Response,
        reason: str | None,
        token: str | None,
        idempotent: bool,
        tries: _Tries,
    ) -> bool:
        """Whether an error answer may be sent again (after a refresh, a wait or a backoff)."""
        status = resp.status_code
        if status == 401 and token and self._refresh and not tries.refreshed:
            # The server did not act on the request; refreshing and resending is safe.
            self._refresh(token)
            tries.refreshed = True
            return True
        if status == 429:
            self._sit_out(resp, reason, tries)
            return True
        if status >= 500 and idempotent and tries.attempt < self.retries:
            self._backoff(tries.attempt, _retry_after(resp, default=0.0))
            tries.attempt += 1
            return True
        return False

    def _sit_out(self, resp: requests.Response, reason: str | None, tries: _Tries) -> None:
        """Wait out a 429 before resending, or raise when the wait would be too long (or
        the quota is gone for the day): the user is told rather than kept waiting."""
        retry_after = _retry_after(resp, default=1.0)
        if (
            reason == "QUOTA_EXCEEDED"
            or retry_after > self.max_retry_after
            or tries.rate_limited >= self.max_429_retries
        ):
            raise RateLimited(retry_after, reason, self.service)
        # A 429 means "not processed": every worker waits, then this one resends.
        self.budget.pause(retry_after)
        tries.rate_limited += 1

    def error_for(
        self, status: int, reason: str | None, message: str, method: str, path: str
    ) -> ServiceError:
        """The exception for an error answer; services with special cases override it."""
        return HTTPStatusError(
            status, reason, message, method=method, path=path, service=self.service
        )

    def _backoff(self, attempt: int, at_least: float = 0.0) -> None:
        delay = self.backoff * (2**attempt) * (0.5 + random.random() / 2)
        time.sleep(min(max(delay, at_least), self.max_retry_after))

    # ------------------------------------------------------------------ verbs
    def get(self, path_or_url: str, params: dict | None = None) -> Any:
        return self.request("GET", path_or_url, params=params)

    def post(self, path: str, json: Any = None, params: dict | None = None) -> Any:
        return self.request("POST", path, json=json, params=params)

    def put(self, path: str, json: Any = None, params: dict | None = None) -> Any:
        return self.request("PUT", path, json=json, params=params)

    def delete(self, path: str, json: Any = None, params: dict | None = None) -> Any:
        return self.request("DELETE", path, json=json, params=params)

    def pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every page of a paged endpoint, following the absolute ``next`` links."""
        page = self.get(path, {"limit": PAGE_LIMIT, **(params or {})})
        while page is not None:
            yield page
            nxt = page.get("next")
            page = self.get(nxt) if nxt else None

    def paginate(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every item of a paged endpoint."""
        for page in self.pages(path, params):
            yield from page.get("items") or []

    def get_many(
        self,
        jobs: Iterable[tuple[Any, str, dict | None]],
        *,
        workers: int = 6,
        cancel: CancelCheck | None = None,
        tolerate: Callable[[Exception], bool] | None = None,
    ) -> Iterator[tuple[Any, Any]]:
        """GET ``(key, path, params)`` jobs concurrently; yield ``(key, body)`` as they finish.

        The caller consumes results in its own thread (so the store is only ever used from
        one thread). An error for which ``tolerate(exc)`` is true is yielded in place of
        the body; any other error stops the remaining jobs and is raised here, as is a
        cancel.
        """
        jobs = list(jobs)
        if not jobs:
            return

        def run(path: str, params: dict | None) -> Any:
            return self._get_or_tolerated(path, params, tolerate)

        if workers <= 1:
            for key, path, params in jobs:
                check_cancel(cancel)
                yield key, run(path, params)
            return
        yield from self._get_concurrently(jobs, run, workers, cancel)

    def _get_or_tolerated(
        self, path: str, params: dict | None, tolerate: Callable[[Exception], bool] | None
    ) -> Any:
        """The body, or the error itself when the caller tolerates it (it is yielded)."""
        try:
            return self.get(path, params)
        except Exception as exc:
            if tolerate is not None and tolerate(exc):
                return exc
            raise

    def _get_concurrently(
        self,
        jobs: list[tuple[Any, str, dict | None]],
        run: Callable[[str, dict | None], Any],
        workers: int,
        cancel: CancelCheck | None,
    ) -> Iterator[tuple[Any, Any]]:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spotui-http")
        pending: dict[Future, Any] = {}
        it = iter(jobs)
        try:
            # Keep at most 2 * workers queued so a cancel does not leave hundreds to drain.
            for key, path, params in it:
                pending[pool.submit(run, path, params)] = key
                if len(pending) >= workers * 2:
                    break
            while pending:
                done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                check_cancel(cancel)
                for fut in done:
                    key = pending.pop(fut)
                    body = fut.result()
                    nxt = next(it, None)
                    if nxt is not None:
                        pending[pool.submit(run, nxt[1], nxt[2])] = nxt[0]
                    yield key, body
        finally:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=True, cancel_futures=True)


def _offline(service: str, url: str, exc: requests.RequestException, idempotent: bool):
    """The error for a request that got no answer, saying only what is known.

    A connection that was never made means the server did nothing. A read timeout or a
    dropped connection means the request may have arrived: for a write (never repeated)
    the user is told it may have been done, not that "nothing was lost".
    """
    cause = type(exc).__name__
    where = f"{service} ({urlparse(url).netloc})"
    sent = _maybe_sent(exc)
    if not sent:
        tail = " The request was not sent; nothing was changed." if not idempotent else ""
        message = f"Could not reach {where}: {cause}. Check your connection.{tail}"
    elif idempotent:
        message = f"{where} did not answer: {cause}. Check your connection and try again."
    else:
        message = (
            f"{where} did not answer: {cause}. The request may have been carried out; it was "
            "not repeated, to avoid doing it twice."
        )
    return OfflineError(message, maybe_sent=sent, cause=cause)


def _maybe_sent(exc: requests.RequestException) -> bool:
    """False only when the connection was never made (so the server saw nothing)."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        inner = exc.args[0] if exc.args else None
        reason = getattr(inner, "reason", inner)
        return not isinstance(reason, NewConnectionError)
    return True


def _error_details(resp: requests.Response) -> tuple[str | None, str]:
    try:
        body = resp.json()
    except ValueError:
        return None, (resp.text or "").strip()[:200]
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return err.get("reason"), str(err.get("message") or "")
    if isinstance(err, str):  # accounts service style
        return err, str(body.get("error_description") or "")
    if isinstance(body, dict) and body.get("message"):
        return None, str(body["message"])
    return None, ""


def _retry_after(resp: requests.Response, default: float) -> float:
    raw = resp.headers.get("Retry-After")
    if raw is None:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        return default
