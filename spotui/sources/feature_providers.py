"""Audio features from a chain of providers: Spotify, then ReccoBeats, then CSV imports.

Why a chain: Spotify's ``/audio-features`` answers 403 for every app created after
November 2024, but older (grandfathered) apps still get it, so it is probed once and a 403
switches it off for good (remembered in ``provider_state``). ReccoBeats serves the same
feature set keyed by Spotify id, free and without a key, at most 40 ids per call; unknown ids
are simply absent from its answer, and they are recorded as misses so the next run does not
ask again (``spotui features --retry`` does). Features that a CSV import brought (provider
``csv:<layout>``) are the last link: they are never overwritten, because only tracks without
any features are looked up. A track no provider knows stays in the library without features.

Each stored feature row records its provider. Network calls go through the same careful
transport as Spotify (:class:`spotui.http.HttpClient`: per-thread sessions,
429/5xx handling); results come back to the calling thread, the only one using the store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from spotui.config.env import Config
from spotui.core.feature_spec import FEATURE_NAMES, INT_FEATURES
from spotui.core.progress import CancelCheck, Progress, Step, check_cancel, no_progress
from spotui.core.records import Features
from spotui.core.text import count, number
from spotui.http import HttpClient, HTTPStatusError, RateBudget, ServiceError
from spotui.store import Store

SPOTIFY = "spotify"
RECCOBEATS = "reccobeats"
RECCOBEATS_BATCH = 40
#: The phase this lookup reports progress as (after sync's own phases).
PHASE = "Audio features"
SPOTIFY_BATCH = 100

#: Whole-number features (pitch class, major/minor, beats per bar) are INT_FEATURES; a
#: negative value is the providers' "unknown" and is stored as missing.
_FLOAT_FIELDS = tuple(name for name in FEATURE_NAMES if name not in INT_FEATURES)


class FeatureProvider(Protocol):
    name: str
    batch_size: int
    http: HttpClient

    def request(self, ids: Sequence[str]) -> tuple[str, dict]:
        """(path, params) of the GET that asks for ``ids``."""

    def parse(self, ids: Sequence[str], body: Any) -> dict[str, Features]:
        """Features found in ``body`` for the asked ``ids``."""

    def unavailable(self, exc: Exception) -> str | None:
        """A reason to disable the provider for good if ``exc`` means so, else None."""


def _features(track_id: str, provider: str, obj: dict) -> Features:
    values: dict[str, Any] = {}
    for name in _FLOAT_FIELDS:
        v = obj.get(name)
        values[name] = float(v) if isinstance(v, (int, float)) else None
    for name in INT_FEATURES:
        v = obj.get(name)
        values[name] = int(v) if isinstance(v, (int, float)) and v >= 0 else None
    return Features(track_id=track_id, provider=provider, **values)


class _AudioFeaturesEndpoint(ABC):
    """What both providers share: the same ``GET audio-features?ids=a,b`` request.

    Subclasses set ``name``, ``batch_size``, the answer's list key (``items_key``) and how
    to read a Spotify id from one entry (``_id_of``).
    """

    name: str
    batch_size: int
    items_key: str

    def __init__(self, http: HttpClient, name: str | None = None):
        self.http = http
        if name is not None:  # the demo's offline ReccoBeats records its features as "demo"
            self.name = name

    def request(self, ids: Sequence[str]) -> tuple[str, dict]:
        return "audio-features", {"ids": ",".join(ids)}

    def parse(self, ids: Sequence[str], body: Any) -> dict[str, Features]:
        wanted = set(ids)
        out = {}
        for obj in (body or {}).get(self.items_key) or []:
            sid = self._id_of(obj)
            if sid in wanted:
                out[sid] = _features(sid, self.name, obj)
        return out

    @abstractmethod
    def _id_of(self, obj: Any) -> str | None:
        """The Spotify id an entry of the response describes (each service says it its way)."""

    def unavailable(self, exc: Exception) -> str | None:
        """No error disables a provider for good unless the provider says so."""
        return None


class SpotifyAudioFeatures(_AudioFeaturesEndpoint):
    """Spotify's own ``GET /audio-features?ids=`` (only for apps created before Nov 2024)."""

    name = SPOTIFY
    batch_size = SPOTIFY_BATCH
    items_key = "audio_features"

    def _id_of(self, obj: Any) -> str | None:
        # unknown ids come back as null entries, in the order asked
        return obj.get("id") if obj else None

    def unavailable(self, exc: Exception) -> str | None:
        if isinstance(exc, HTTPStatusError) and exc.status in (403, 404, 410):
            return (
                f"Spotify answered {exc.status}: audio features are not available to apps "
                "created after November 2024"
            )
        return None


class ReccoBeatsFeatures(_AudioFeaturesEndpoint):
    """ReccoBeats ``GET /audio-features?ids=`` (≤40 Spotify ids; unknown ids are absent)."""

    name = RECCOBEATS
    batch_size = RECCOBEATS_BATCH
    items_key = "content"

    def _id_of(self, obj: Any) -> str | None:
        # entries carry ReccoBeats' own id; the Spotify id is the tail of ``href``
        href = str(obj.get("href") or "")
        return href.rstrip("/").rsplit("/", 1)[-1].split("?")[0]


#: One budget for every ReccoBeats client of the process (feature lookups, discovery, a
#: TUI worker still finishing): a 429 seen by one pauses them all for its Retry-After.
RECCOBEATS_BUDGET = RateBudget(max_in_flight=4)


def reccobeats_http(config: Config, **kwargs: Any) -> HttpClient:
    return HttpClient(
        config.reccobeats_url, service="ReccoBeats", budget=RECCOBEATS_BUDGET, **kwargs
    )


def default_providers(
    config: Config, spotify: HttpClient | None, reccobeats: HttpClient | None = None
) -> list[FeatureProvider]:
    """The chain in order: Spotify (when logged in), then ReccoBeats (``reccobeats``: a
    client to share, e.g. with discovery, so both use one rate budget)."""
    chain: list[FeatureProvider] = []
    if spotify is not None:
        chain.append(SpotifyAudioFeatures(spotify))
    chain.append(ReccoBeatsFeatures(reccobeats or reccobeats_http(config)))
    return chain


@dataclass
class FeatureResult:
    without_features: int = 0
    looked_up: int = 0
    found: dict[str, int] = field(default_factory=dict)
    still_missing: int = 0
    disabled: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "without_features": self.without_features,
            "looked_up": self.looked_up,
            "found": dict(self.found),
            "still_missing": self.still_missing,
            "disabled": dict(self.disabled),
            "errors": dict(self.errors),
            "requests": self.requests,
        }

    def summary(self) -> str:
        if not self.looked_up:
            if not self.without_features:
                return "Audio features: every library track has them."
            return (
                f"Audio features: {count(self.without_features, 'track')} "
                f"{'has' if self.without_features == 1 else 'have'} none, and no provider "
                "knew them last time (`spotui features --retry` asks again)."
            )
        found = (
            ", ".join(f"{number(n)} from {p}" for p, n in self.found.items() if n) or "none found"
        )
        lines = [
            f"Audio features for {count(self.looked_up, 'track')}: {found}; "
            f"{number(self.still_missing)} still without."
        ]
        for p, reason in self.disabled.items():
            lines.append(f"  {p} skipped: {reason}")
        for p, msg in self.errors.items():
            lines.append(f"  {p} failed: {msg}")
        if self.still_missing:
            lines.append(
                "  Tracks without features stay in your library; import an Exportify CSV "
                "(`spotui import`) to fill them, or run `spotui features --retry` later."
            )
        return "\n".join(lines)


def lookup_features(
    store: Store,
    providers: Sequence[FeatureProvider],
    *,
    retry: bool = False,
    track_ids: Sequence[str] | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck | None = None,
    workers: int = 4,
) -> FeatureResult:
    """Ask each provider in turn for the library tracks that still have no features.

    A provider is skipped for tracks it already said it does not know (unless ``retry``)
    and entirely while ``provider_state`` says it is disabled. The first batch of each
    provider is a probe: if it shows the provider is unavailable for good, that is
    remembered and the chain moves on. Network trouble with one provider (offline, rate
    limited) is reported in ``errors`` and the next provider is tried.
    """
    result = FeatureResult()
    todo = (
        list(track_ids)
        if track_ids is not None
        else store.tracks.tracks_without_features("library")
    )
    result.without_features = len(todo)
    asked: set[str] = set()
    start_requests = _requests(providers)
    run = _Lookup(store, result, progress, cancel, workers, _most_batches(providers, len(todo)))
    for prov in providers:
        if not todo:
            break
        check_cancel(cancel)
        candidates = _candidates(store, prov, todo, retry, result)
        if candidates is None:
            continue
        asked.update(candidates)
        found = run.ask(prov, candidates)
        if found is not None:
            todo = [t for t in todo if t not in found]
    result.still_missing = len(todo)
    result.looked_up = len(asked)
    result.requests = _requests(providers) - start_requests
    return result


def _requests(providers: Sequence[FeatureProvider]) -> int:
    """Requests sent so far (the providers may share one client, so only the difference
    between two readings counts)."""
    return sum(p.http.request_count for p in providers)


def _most_batches(providers: Sequence[FeatureProvider], tracks: int) -> int:
    """The progress bar's length: every provider asked about every track, the worst case."""
    return sum(-(-tracks // p.batch_size) for p in providers) or 1


def _candidates(
    store: Store, prov: FeatureProvider, todo: list[str], retry: bool, result: FeatureResult
) -> list[str] | None:
    """The tracks to ask ``prov`` about, or None while it is disabled (noted in ``result``)."""
    state = store.tracks.get_provider_state(prov.name)
    if state is not None and not state[0]:
        result.disabled[prov.name] = state[1] or "disabled"
        return None
    missed = set() if retry else store.tracks.tracks_missed_by(prov.name)
    return [t for t in todo if t not in missed]


class _Lookup:
    """One lookup run: asks a provider batch by batch and writes what it answers."""

    def __init__(
        self,
        store: Store,
        result: FeatureResult,
        progress: Progress,
        cancel: CancelCheck | None,
        workers: int,
        total_batches: int,
    ) -> None:
        self.store, self.result = store, result
        self.progress, self.cancel, self.workers = progress, cancel, workers
        self.total_batches = total_batches
        self.done = 0

    def ask(self, prov: FeatureProvider, candidates: list[str]) -> set[str] | None:
        """Ids ``prov`` found features for; None if it turned out unavailable for good."""
        size = prov.batch_size
        batches = [candidates[i : i + size] for i in range(0, len(candidates), size)]
        found: set[str] = set()
        found_n = 0
        try:
            if batches:
                # Probe: one batch on its own, to learn whether the provider answers at all.
                answered, body = self._probe(prov, batches[0])
                if not answered:
                    return None
                found_n += self._write(prov, batches[0], body, found)
                jobs = [(i, *prov.request(b)) for i, b in enumerate(batches[1:], start=1)]
                for i, body in prov.http.get_many(jobs, workers=self.workers, cancel=self.cancel):
                    found_n += self._write(prov, batches[i], body, found)
        except ServiceError as exc:
            self.result.errors[prov.name] = str(exc)
        self.result.found[prov.name] = found_n
        return found

    def _probe(self, prov: FeatureProvider, batch: list[str]) -> tuple[bool, Any]:
        """``(True, answer)`` to the first batch; ``(False, None)`` (and the provider
        disabled) if it refuses for good."""
        try:
            body = prov.http.get(*prov.request(batch))
        except ServiceError as exc:
            reason = prov.unavailable(exc)
            if reason is None:
                raise
            self.store.tracks.set_provider_state(prov.name, False, reason)
            self.result.disabled[prov.name] = reason
            return False, None
        self.store.tracks.set_provider_state(prov.name, True, None)
        return True, body

    def _write(self, prov: FeatureProvider, batch: list[str], body: Any, found: set[str]) -> int:
        got = prov.parse(batch, body)
        with self.store.transaction():
            self.store.tracks.upsert_features(got.values())
            self.store.tracks.record_feature_misses([t for t in batch if t not in got], prov.name)
        found.update(got)
        self.done += 1
        self.progress(self.done, self.total_batches, Step(PHASE, prov.name))
        return len(got)
