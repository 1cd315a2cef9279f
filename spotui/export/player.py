"""Where playback is: the user's devices, what plays, and moving playback to a device.

Why it is read on demand only: the Web API quota is per developer account (the user's own
app), and a status line polling every few seconds would spend it on nothing. The faces ask
when the user does (a key, a queue action, opening the device picker).

In ``--demo`` there is no Spotify: two demo devices stand in (named so nobody mistakes
them for real ones), and "transfer playback" is written to the demo outbox like every
other action, which is also where the active demo device is read back from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from spotui.config.env import Config
from spotui.export.outbox import read_outbox, write_outbox
from spotui.spotify.ids import parse_track_id


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


DEMO_DEVICES: tuple[Device, ...] = (
    Device("demo-player", "Demo player (spotui --demo)", "Computer"),
    Device("demo-phone", "Demo phone (spotui --demo)", "Smartphone"),
)
DEMO_DEVICE = DEMO_DEVICES[0].name


@dataclass
class Playback:
    """The active device, what plays on it, and the tracks spotui queued last."""

    device: Device | None = None
    track: str | None = None  # "Title — Artists"
    is_playing: bool = False
    last_queued: list[str] = field(default_factory=list)  # "Title — Artists", oldest first
    demo: bool = False

    def summary(self) -> str:
        where = self.device.name if self.device else "no active device (d picks one)"
        parts = [f"{'▶' if self.is_playing else '■'} {where}"]
        if self.track:
            parts.append(self.track)
        if self.last_queued:
            n = len(self.last_queued)
            parts.append(f"queued {n}: {self.last_queued[-1]}" + (" …" if n > 1 else ""))
        return " · ".join(parts)

    def as_dict(self) -> dict:
        return {
            "device": self.device.name if self.device else None,
            "device_id": self.device.id if self.device else None,
            "track": self.track,
            "is_playing": self.is_playing,
            "last_queued": list(self.last_queued),
            "demo": self.demo,
        }


def demo_devices(config: Config) -> list[Device]:
    """The demo devices; the active one is the last transferred to in the outbox."""
    active_id = DEMO_DEVICES[0].id
    for entry in read_outbox(config):
        if entry.get("kind") == "transfer" and entry.get("device_id"):
            active_id = entry["device_id"]
    return [replace(d, is_active=d.id == active_id) for d in DEMO_DEVICES]


def active_demo_device(config: Config) -> Device:
    return next(d for d in demo_devices(config) if d.is_active)


def last_demo_queue(config: Config) -> list[str]:
    """Track ids of the last queue action in the demo outbox."""
    last: list[str] = []
    for entry in read_outbox(config):
        if entry.get("kind") == "queue":
            last = [parse_track_id(u) or u for u in entry.get("uris") or []]
    return last


def devices(client, config: Config) -> list[Device]:
    """The devices playback can move to (the demo ones in ``--demo``)."""
    if client is None:
        return demo_devices(config)
    return [Device.from_api(d) for d in client.devices()]


def playback(client, config: Config) -> Playback:
    """The active device and the playing track (one request; the demo device in --demo)."""
    if client is None:
        return Playback(device=active_demo_device(config), demo=True)
    body = client.playback()
    if not body:
        return Playback()
    item = body.get("item") or {}
    track = None
    if item.get("name"):
        artists = ", ".join(a.get("name", "") for a in item.get("artists") or [])
        track = f"{item['name']} — {artists}" if artists else str(item["name"])
    device = Device.from_api(body["device"]) if isinstance(body.get("device"), dict) else None
    return Playback(device=device, track=track, is_playing=bool(body.get("is_playing")))


def transfer(client, config: Config, device_id: str, known: Sequence[Device] = ()) -> Device:
    """Move playback to ``device_id`` (nothing starts playing); the device moved to."""
    choices = list(known) or devices(client, config)
    target = next((d for d in choices if d.id == device_id), None)
    if target is None:
        from spotui.core.errors import NotFoundError

        names = ", ".join(d.label() for d in choices) or "none is online"
        raise NotFoundError(f"No Spotify device with id {device_id!r}. Your devices: {names}.")
    if client is None:
        write_outbox(config, {"kind": "transfer", "device": target.name, "device_id": target.id})
    else:
        client.transfer_playback(device_id)
    return replace(target, is_active=True)
