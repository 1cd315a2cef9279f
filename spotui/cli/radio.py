"""``spotui radio``: keep the Spotify queue going in one mood, in the foreground, with a
live line, until Ctrl-C, ``--for MINUTES`` or the user plays something else.

Why the radio runs in a thread while the main thread waits: Ctrl-C and SIGTERM arrive in
the main thread, between two Python steps of whatever runs there. Had the radio run there,
the interrupt could land inside a store write or between two of its steps; here the
signal only calls :meth:`~spotui.session.radio.Radio.stop`, which cuts the radio's sleep
short, and the radio finishes the step it is in (a track is noted as queued before it is
sent, so even a SIGKILL leaves nothing to send twice) and returns its result.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from spotui.cli import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Context,
    err,
    out,
    positive_int,
    print_json,
    usage,
)

#: How a radio's end becomes the exit status: 0 it stopped as asked (Ctrl-C, SIGTERM,
#: ``--for``) or because the user played something else; 2 the user must act (log in
#: again, Spotify's rate limit or daily quota: try later), as for every other command's
#: Spotify errors; 1 it gave up (no device for 30 minutes, no network, nothing left).
EXIT_FOR_END = {
    "stopped": EXIT_OK,
    "minutes": EXIT_OK,
    "elsewhere": EXIT_OK,
    "login": EXIT_USAGE,
    "rate_limited": EXIT_USAGE,
    "no_device": EXIT_FAILURE,
    "offline": EXIT_FAILURE,
    "exhausted": EXIT_FAILURE,
}
#: Event kinds printed as lines of their own (the live line shows the rest).
LOGGED = ("started", "queued", "skip", "waiting", "resumed")


def _minutes(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError("must be a number of minutes greater than 0")
    return x


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "radio",
        parents=[parent],
        help="keep your Spotify queue going in a mood, learning from skips (Premium)",
        description="Start a mood radio: keep --ahead tracks queued on the active Spotify "
        "device, read the player once per track (at its expected end), never queue a track "
        "played lately, queued today or skipped, at most 2 per artist in 10, drifting toward "
        "what you play to the end and away from what you skip. Runs until Ctrl-C, --for "
        "MINUTES, or you play something else. Start playing something in a Spotify app first. "
        "In --demo a simulated player plays the queue at 60x speed (queues go to the outbox).",
    )
    seed = p.add_mutually_exclusive_group(required=True)
    seed.add_argument("--cluster", type=int, metavar="ID", help="the radio of this mood cluster")
    seed.add_argument(
        "--track", nargs="+", metavar="ID", help="tracks that sound like these (ids, URIs, links)"
    )
    seed.add_argument("--playlist", metavar="ID", help="in the mood of a playlist you own")
    seed.add_argument(
        "--for-you",
        action="store_true",
        help="from your top and recent tracks, in the mood you listen to most",
    )
    p.add_argument(
        "--discover",
        action="store_true",
        help="mix in new tracks ReccoBeats proposes (at least 1 in 5 when some are close "
        "enough to the mood; your skips are sent as negative seeds)",
    )
    p.add_argument(
        "--ahead", type=positive_int, default=3, help="tracks kept queued ahead (default 3)"
    )
    p.add_argument(
        "--for", dest="minutes", type=_minutes, metavar="MINUTES", help="stop after this long"
    )
    p.add_argument(
        "--json", action="store_true", help="print what the radio did as JSON at the end"
    )
    p.set_defaults(handler=cmd_radio)


def _seeds(ctx: Context):
    from spotui.session.seeds import Seeds

    args = ctx.args
    if args.for_you:
        return ctx.session.radio.for_you_seeds()
    if args.cluster is not None:
        return Seeds.cluster(args.cluster)
    if args.playlist:
        return Seeds.playlist(args.playlist)
    return Seeds.track(args.track)


def cmd_radio(ctx: Context) -> int:
    from spotui.session.radio import RadioSettings

    args = ctx.args
    if args.discover and args.for_you:
        return usage("--discover works with --track, --cluster or --playlist, not --for-you.")
    line = LiveLine(enabled=sys.stderr.isatty())
    settings = RadioSettings(ahead=args.ahead, minutes=args.minutes, discover=args.discover)
    radio = ctx.session.radio.start(_seeds(ctx), settings, line.event)
    line.label = radio.settings.label
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = radio.run()
        except BaseException as exc:  # handed to the main thread, which reports it
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="radio", daemon=True)
    with _stop_on_signals(radio):
        worker.start()
        while worker.is_alive():
            worker.join(0.2)  # wakes for Ctrl-C / SIGTERM: they call radio.stop()
    line.close()
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    err(result.reason)
    if ctx.json:
        print_json(result.as_dict())
    else:
        out(summary(result))
    return EXIT_FOR_END.get(result.ended, EXIT_FAILURE)


def summary(result) -> str:
    """One line of what the radio did: "Played 20 tracks (18 to the end, 2 skipped); queued
    22; 43 Spotify requests (2.15 per track played)."."""
    from spotui.core.text import count

    per = f" ({result.requests / result.played:.2f} per track played)" if result.played else ""
    return (
        f"Played {count(result.played, 'track')} ({result.kept} to the end, "
        f"{len(result.skipped)} skipped); queued {len(result.queued)}; "
        f"{count(result.requests, 'Spotify request')}{per}."
    )


class _stop_on_signals:  # noqa: N801 (a context manager, read like a function)
    """Ctrl-C and SIGTERM stop the radio (cleanly, see the module docstring) while the
    block runs; the handlers before are put back after."""

    def __init__(self, radio) -> None:
        self.radio = radio
        self.before: dict[int, Any] = {}

    def _handle(self, signum: int, _frame) -> None:
        name = "Ctrl-C" if signum == signal.SIGINT else "a stop signal"
        self.radio.stop(f"Radio stopped ({name}); nothing is left half-done.")

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.before[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.before.items():
            signal.signal(sig, handler)


class LiveLine:
    """The radio's live line on stderr: on a terminal one line redrawn in place (rich),
    with what happened (queued, skipped, waiting) printed above it; elsewhere (a pipe, a
    log) those events as plain lines. Every text is inert already (the engine's events)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.label = "Radio"
        self._live = None
        self._lock = threading.Lock()

    def event(self, event) -> None:
        with self._lock:
            if self.enabled:
                self._draw(event)
            elif event.kind in LOGGED:
                err(event.message)
            elif event.kind == "playing":
                err(event.line(self.label))

    def _draw(self, event) -> None:
        from rich.live import Live

        from spotui.cli import cell, console

        if self._live is None:
            self._live = Live(console=console(stderr=True), auto_refresh=False, transient=True)
            self._live.start()
        if event.kind in LOGGED:
            self._live.console.print(cell(event.message))
        self._live.update(cell(event.line(self.label), "bold"), refresh=True)

    def close(self) -> None:
        with self._lock:
            if self._live is not None:
                self._live.stop()
                self._live = None
