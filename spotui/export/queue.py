"""Queueing tracks on the user's Spotify device, each exactly once.

Why nothing is ever sent twice: a queue request is sent once per track and never
repeated after an answer other than 429 (which means "not processed", and the HTTP
client resends it): a 5xx or a timeout may still have queued the song, and a retry would
queue it twice. After an error that will repeat (no Premium, no device, offline) the rest
is not sent and each track says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spotui.config.env import Config
from spotui.core.errors import NotFoundError, UserError
from spotui.core.progress import CancelCheck, Progress
from spotui.core.text import count, number
from spotui.export.outbox import write_outbox
from spotui.export.player import Device, active_demo_device
from spotui.http import ServiceError
from spotui.spotify.errors import NoActiveDevice, PremiumRequired, SpotifyHTTPError
from spotui.spotify.ids import split_spotify, track_uri

#: Above this many tracks the faces ask before queueing: a queued track cannot be taken
#: back (the Web API has no "remove from queue"), so more than a few is asked about.
ASK_ABOVE = 5

PREMIUM_MESSAGE = "queueing needs Spotify Premium"
NO_DEVICE_HINT = (
    "no active device: start playing something in a Spotify app (phone, desktop or web "
    "player), then try again"
)


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
    #: --demo: the outbox file the action was written to instead of Spotify
    outbox: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        where = f" on {self.device_name}" if self.device_name else ""
        done, total = len(self.queued), len(self.queued) + len(self.failed)
        lines = [
            f"Queued {count(done, 'track')}{where}."
            if done == total
            else f"Queued {number(done)} of {count(total, 'track')}{where}."
        ]
        if self.transferred:
            lines[0] = f"Moved playback to {self.device_name}. " + lines[0]
        for tid, why in self.failed:
            lines.append(f"  not queued: {tid}: {why}")
        if self.demo:
            lines.append(
                f"Demo mode: written to {self.outbox or 'the demo outbox'}, nothing was sent to "
                "Spotify."
            )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "queued": list(self.queued),
            "failed": [{"track_id": t, "reason": r} for t, r in self.failed],
            "device": self.device_name,
            "transferred": self.transferred,
            "demo": self.demo,
        }


def ask_before_queueing(n_tracks: int, what: str) -> str | None:
    """The question to ask before queueing ``n_tracks`` of ``what``; None: just queue."""
    if n_tracks <= ASK_ABOVE:
        return None
    return f"Queue all {count(n_tracks, 'track')} of {what}? They play after what is queued."


def list_devices(client) -> list[Device]:
    return [Device.from_api(d) for d in client.devices()]


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
    if not track_ids:
        raise UserError("No tracks to queue.")
    good, bad = split_spotify(track_ids)
    if not good:  # nothing could be sent (or written to the demo outbox): say why, plainly
        raise UserError(
            "; ".join(f"{t}: {why}" for t, why in bad) + ". Nothing was queued: give Spotify "
            "track ids, spotify:track: URIs or open.spotify.com/track links."
        )
    result = QueueResult(failed=list(bad))
    if client is None:
        _queue_demo(config, good, device, result)
    elif good:
        try:
            device_id = _choose_device(client, device, result)
        except PremiumRequired:
            result.failed += [(t, PREMIUM_MESSAGE) for t in good]
        else:
            _send(client, good, device_id, result, progress, cancel)
    _reorder_failed(result, track_ids)
    return result


def _queue_demo(config: Config, good: list[str], device: str | None, result: QueueResult) -> None:
    if not config.demo:
        raise UserError("Queueing needs a Spotify login; run `spotui login` (or use --demo).")
    result.demo = True
    result.outbox = str(config.outbox_path)
    result.device_name = device or active_demo_device(config).name
    if good:
        write_outbox(
            config,
            {"kind": "queue", "device": result.device_name, "uris": [track_uri(t) for t in good]},
        )
    result.queued = good


def _choose_device(client, device: str | None, result: QueueResult) -> str | None:
    """The device id to queue on (None: the active one), moving playback there if needed."""
    devices = list_devices(client)
    if not device:
        active = next((d for d in devices if d.is_active), None)
        if active is None:
            raise NoActiveDeviceError(devices)
        result.device_name = active.name
        return None
    target = pick_device(devices, device)
    if target.is_restricted:
        raise UserError(f"Spotify does not allow remote control of {target.label()}.")
    if not target.is_active:
        client.transfer_playback(target.id)
        result.transferred = True
    result.device_name = target.name
    return target.id


def _send(
    client,
    good: list[str],
    device_id: str | None,
    result: QueueResult,
    progress: Progress | None,
    cancel: CancelCheck | None,
) -> None:
    stop_reason: str | None = None
    for i, tid in enumerate(good):
        if stop_reason is None and cancel is not None and cancel():
            stop_reason = "not sent: cancelled"
        if stop_reason is not None:
            result.failed.append((tid, stop_reason))
            continue
        params = {"uri": track_uri(tid)}
        if device_id:
            params["device_id"] = device_id
        try:
            # POST is never retried by the client except after 401/429 (not processed).
            client.post("me/player/queue", params=params)
        except ServiceError as exc:
            reason, stop_reason = _failure(exc)
            result.failed.append((tid, reason))
        else:
            result.queued.append(tid)
        if progress is not None:
            progress(i + 1, len(good), "queueing")


def _failure(exc: ServiceError) -> tuple[str, str | None]:
    """Why a track was not queued, and why the rest will not be sent (None: go on)."""
    if isinstance(exc, PremiumRequired):
        return PREMIUM_MESSAGE, f"not sent: {PREMIUM_MESSAGE}"
    if isinstance(exc, NoActiveDevice):
        return NO_DEVICE_HINT, "not sent: no active device"
    if isinstance(exc, SpotifyHTTPError):
        if exc.status >= 500:
            return (
                f"Spotify answered {exc.status}; not retried so it cannot be queued twice "
                "(it may or may not be in the queue)"
            ), None
        if exc.status in (400, 404):
            detail = f": {exc.message}" if exc.message else ""
            return f"Spotify refused it ({exc.status}{detail})", None
        return str(exc), f"not sent after an earlier error ({exc.status})"
    # offline, rate limited, login expired: stop here
    return f"{exc} (not retried, to avoid queueing it twice)", "not sent after an earlier error"


def _reorder_failed(result: QueueResult, order: Sequence[str]) -> None:
    """Failures listed in the order the user gave the tracks."""
    pos: dict[str, int] = {}
    for i, t in enumerate(order):
        pos.setdefault(t, i)
    result.failed.sort(key=lambda f: pos.get(f[0], len(order)))
