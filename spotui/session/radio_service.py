"""``session.radio``: start a mood radio without the faces building players or clocks.

Why a service over :func:`spotui.session.radio.start_radio`: the CLI and the TUI must get
the same radio for the same seeds (the real player on the user's account, the simulated
one in ``--demo`` at :data:`DEMO_SPEED`, the label the playback line shows), and neither
may import ``spotify/`` or ``export/`` to make one. The engine and its ports stay in
:mod:`spotui.session.radio`; this only chooses the ports.

The radio's client is its own and sits out no 429 itself (``max_retry_after=0``): the
engine waits a Retry-After on the radio's clock, where the stop key cuts the wait short
and the live line says it is waiting, instead of a request blocking for a minute.

**Test-only clock** (:data:`TEST_CLOCK_ENV`): a subprocess test runs ``spotui radio``
against the fake Spotify, whose playback advances on a clock the test owns. With
``SPOTUI_TEST_CLOCK=<url>`` the radio reads the time from ``GET <url>`` and sleeps with
``POST <url>/sleep?seconds=S`` (the fake moves its clock on and answers at once), so two
simulated hours take seconds and every decision of the radio runs unchanged: only the
clock port differs. It is honoured only when both that URL and the Spotify API URL are on
the loopback interface (the fake), so a stray variable can never change how the radio
times the user's real Spotify; in normal use it is ignored.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from spotui.session.seeds import Seeds

if TYPE_CHECKING:  # the engine imports numpy: only when a radio starts, never at start-up
    from spotui.session.radio import Clock, Radio, RadioEvent, RadioSettings

#: How much faster than real time the demo's simulated player plays (a 3-minute track in 3 s).
DEMO_SPEED = 60.0
#: The test-only clock hook (see the module docstring).
TEST_CLOCK_ENV = "SPOTUI_TEST_CLOCK"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class FollowClock:
    """Test-only: the time of a clock served over HTTP on the loopback (the fake Spotify's).

    ``sleep`` asks the server to move its clock on and returns when it answered; nothing
    is waited in real time, so :meth:`interrupt` has nothing to cut short."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _ask(self, url: str, method: str) -> float:
        req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 (loopback only)
            return float(json.loads(resp.read())["now"])

    def now(self) -> float:
        return self._ask(self.url, "GET")

    def sleep(self, seconds: float) -> None:
        self._ask(f"{self.url}/sleep?seconds={max(0.0, seconds)!r}", "POST")

    def interrupt(self) -> None:
        pass


def _loopback(url: str | None) -> bool:
    return bool(url) and (urlparse(url).hostname or "") in _LOOPBACK


class RadioService:
    """Radios on the session's library, player and store.

    Why it holds the whole session: a radio draws on recommendations, moods, the library
    and discovery at once (:class:`~spotui.session.radio.SessionCandidates`), so it is
    composed last, over the other services."""

    def __init__(self, session: Any) -> None:  # the Session (importing it would be a cycle)
        self._session = session

    def for_you_seeds(self) -> Seeds:
        """ "For you" as one radio: the mood cluster holding most of the user's top and
        recent tracks (a clear error when there is no listening yet)."""
        clusters = self._session.recommendations.for_you_clusters()
        return Seeds.for_you(clusters[0][0].id)

    def label(self, seeds: Seeds) -> str:
        """What the live line calls the radio ("Radio: Calm Acoustic"; in ``--demo`` it
        says the player is simulated and how fast it plays)."""
        from spotui.session.radio import radio_label

        label = radio_label(self._session, seeds)
        if self._session.demo:
            label += f" (demo, {DEMO_SPEED:g}× speed)"
        return label

    def start(
        self,
        seeds: Seeds,
        settings: RadioSettings | None = None,
        on_event: Callable[[RadioEvent], None] | None = None,
    ) -> Radio:
        """A radio ready to :meth:`~spotui.session.radio.Radio.run` (it blocks: a worker
        thread, or the CLI's foreground); :meth:`~spotui.session.radio.Radio.stop` from
        any thread ends it."""
        from spotui.session.radio import RadioSettings, start_radio

        session = self._session
        if seeds.cluster_id is not None:
            session.moods.shown()  # the label names the mood, the seeds are its tracks
        settings = settings or RadioSettings()
        if settings.label == "Radio":
            settings.label = self.label(seeds)
        clock = self._test_clock()
        if session.demo:
            return start_radio(session, seeds, settings, on_event, clock=clock, speed=DEMO_SPEED)
        if not session.account.logged_in():
            from spotui.spotify.errors import NOT_LOGGED_IN, SpotifyAuthError

            raise SpotifyAuthError(NOT_LOGGED_IN)
        from spotui.export.radio_player import SpotifyRadioPlayer

        client = session.context.client(max_retry_after=0)
        player = SpotifyRadioPlayer(client, owns_client=True)
        return start_radio(session, seeds, settings, on_event, player=player, clock=clock)

    def _test_clock(self) -> Clock | None:
        url = os.environ.get(TEST_CLOCK_ENV)
        if url and _loopback(url) and _loopback(self._session.config.api_url):
            return FollowClock(url)
        return None
