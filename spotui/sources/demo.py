"""A deterministic synthetic library for ``--demo``, the tests and the benchmarks.

Each genre draws its audio features from its own distributions (beta for 0..1 features,
normal for tempo and loudness), so mood clusters found in it are real structure rather
than noise, and genre labels give a ground truth for recommendation quality. The same seed
always yields the same library, byte for byte.

numpy is imported inside the generating functions only: ``spotui --demo`` calls
:func:`ensure_demo` on every start, and once the library exists that must cost one query,
not a numpy import before the TUI's first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spotui.core.records import Features, Playlist, Track

if TYPE_CHECKING:
    import numpy as np

DEMO_SEED = 7
DEMO_SIZE = 2000
DEMO_CATALOG_SIZE = 1000
DEMO_MISSING_SHARE = 0.03
DEMO_PROVIDER = "demo"
DEMO_USER = "demo-user"

# (mean, concentration) for beta features; (mean, sd) for tempo / loudness.
_GENRES: dict[str, dict[str, tuple[float, float]]] = {
    "acoustic folk": dict(
        danceability=(0.48, 14),
        energy=(0.30, 14),
        valence=(0.50, 8),
        acousticness=(0.85, 12),
        instrumentalness=(0.06, 20),
        speechiness=(0.04, 60),
        liveness=(0.14, 25),
        tempo=(102, 16),
        loudness=(-11.5, 2.5),
    ),
    "ambient": dict(
        danceability=(0.24, 14),
        energy=(0.14, 14),
        valence=(0.16, 12),
        acousticness=(0.72, 8),
        instrumentalness=(0.88, 14),
        speechiness=(0.04, 60),
        liveness=(0.10, 30),
        tempo=(82, 14),
        loudness=(-21, 3.5),
    ),
    "edm": dict(
        danceability=(0.78, 20),
        energy=(0.88, 20),
        valence=(0.58, 10),
        acousticness=(0.03, 40),
        instrumentalness=(0.55, 6),
        speechiness=(0.06, 40),
        liveness=(0.16, 20),
        tempo=(126, 5),
        loudness=(-4.8, 1.5),
    ),
    "hip hop": dict(
        danceability=(0.77, 18),
        energy=(0.64, 14),
        valence=(0.50, 8),
        acousticness=(0.12, 14),
        instrumentalness=(0.01, 80),
        speechiness=(0.30, 10),
        liveness=(0.17, 20),
        tempo=(94, 14),
        loudness=(-6.0, 1.8),
    ),
    "metal": dict(
        danceability=(0.33, 14),
        energy=(0.95, 30),
        valence=(0.24, 10),
        acousticness=(0.01, 60),
        instrumentalness=(0.18, 8),
        speechiness=(0.08, 30),
        liveness=(0.20, 14),
        tempo=(142, 18),
        loudness=(-4.2, 1.2),
    ),
    "pop": dict(
        danceability=(0.68, 18),
        energy=(0.70, 16),
        valence=(0.72, 12),
        acousticness=(0.14, 12),
        instrumentalness=(0.01, 80),
        speechiness=(0.06, 40),
        liveness=(0.14, 24),
        tempo=(118, 12),
        loudness=(-5.5, 1.5),
    ),
    "classical": dict(
        danceability=(0.20, 14),
        energy=(0.12, 14),
        valence=(0.24, 8),
        acousticness=(0.95, 30),
        instrumentalness=(0.90, 20),
        speechiness=(0.04, 60),
        liveness=(0.12, 20),
        tempo=(92, 22),
        loudness=(-22, 4.0),
    ),
    "jazz": dict(
        danceability=(0.56, 14),
        energy=(0.36, 12),
        valence=(0.56, 10),
        acousticness=(0.70, 10),
        instrumentalness=(0.52, 6),
        speechiness=(0.05, 40),
        liveness=(0.30, 8),
        tempo=(112, 20),
        loudness=(-12.5, 2.5),
    ),
    "soul": dict(
        danceability=(0.64, 16),
        energy=(0.52, 14),
        valence=(0.66, 12),
        acousticness=(0.30, 10),
        instrumentalness=(0.02, 60),
        speechiness=(0.05, 40),
        liveness=(0.15, 20),
        tempo=(104, 14),
        loudness=(-7.5, 1.8),
    ),
    "live rock": dict(
        danceability=(0.42, 14),
        energy=(0.80, 16),
        valence=(0.46, 10),
        acousticness=(0.08, 14),
        instrumentalness=(0.05, 30),
        speechiness=(0.07, 30),
        liveness=(0.78, 12),
        tempo=(128, 16),
        loudness=(-6.5, 1.8),
    ),
}
GENRES: tuple[str, ...] = tuple(_GENRES)

_FIRST = [
    "Velvet", "Paper", "Neon", "Quiet", "Silver", "Golden", "Hollow", "Wild", "Lunar",
    "Crimson", "Amber", "Distant", "Electric", "Gentle", "Broken", "Northern", "Midnight",
    "Paper", "Static", "Open", "Slow", "Bright", "Winter", "Summer", "Ocean", "Glass"
]  # fmt: skip
_SECOND = [
    "Owls", "Harbour", "Engines", "Lanterns", "Rivers", "Foxes", "Satellites", "Gardens",
    "Echoes", "Tides", "Pilots", "Ghosts", "Wolves", "Radios", "Mirrors", "Sparrows",
    "Machines", "Valleys", "Comets", "Strangers", "Horses", "Bells"
]  # fmt: skip
_SOLO_FIRST = [
    "Ada", "June", "Milo", "Nora", "Otis", "Iris", "Theo", "Lena", "Ezra", "Mara", "Jonas",
    "Ruby", "Felix", "Clara", "Hugo", "Vera", "Leo", "Ines"
]  # fmt: skip
_SOLO_LAST = [
    "Hale", "Moreau", "Lind", "Okafor", "Sato", "Varga", "Reyes", "Brandt", "Quinn", "Adler",
    "Novak", "Ferreira", "Holm", "Kowal", "Ibarra", "Dunn"
]  # fmt: skip
_TITLE_A = [
    "Falling", "Lost", "Dancing", "Waiting", "Running", "Burning", "Breathing", "Dreaming",
    "Floating", "Drifting", "Holding", "Calling", "Chasing", "Fading", "Rising", "Singing",
    "Leaving", "Turning"
]  # fmt: skip
_TITLE_B = [
    "Lights", "Home", "Rain", "Fire", "Stars", "Water", "Gold", "Shadows", "Hearts", "Roads",
    "Skies", "Waves", "Streets", "Flowers", "Mountains", "Wires", "Windows", "Seasons",
    "Signals", "Embers"
]  # fmt: skip
_TITLE_C = [
    "Tonight", "Again", "Forever", "Slowly", "Alone", "Together", "Outside", "Somewhere",
    "Tomorrow", "Underground", "Upstairs", "Anyway"
]  # fmt: skip
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass
class DemoLibrary:
    """A generated library: tracks with genres, features, and the sources they came from."""

    tracks: list[Track]
    features: list[Features]
    saved: list[tuple[str, str]]
    playlists: list[tuple[Playlist, list[str]]]
    catalog: list[Track] = field(default_factory=list)
    catalog_features: list[Features] = field(default_factory=list)
    #: time range -> track ids, most played first (what ``/me/top/tracks`` gives)
    top: dict[str, list[str]] = field(default_factory=dict)
    #: ``(played_at, track_id)``, newest first (what ``/me/player/recently-played`` gives)
    recent: list[tuple[str, str]] = field(default_factory=list)


def _track_id(rng: np.random.Generator, n: int) -> list[str]:
    digits = rng.integers(0, 62, size=(n, 22))
    return ["".join(_B62[d] for d in row) for row in digits]


def _draw_features(rng: np.random.Generator, genre: str, n: int) -> dict[str, np.ndarray]:
    import numpy as np

    spec = _GENRES[genre]
    out: dict[str, np.ndarray] = {}
    for name, (a, b) in spec.items():
        if name == "tempo":
            out[name] = np.clip(rng.normal(a, b, n), 55, 210)
        elif name == "loudness":
            out[name] = np.clip(rng.normal(a, b, n), -40, 0)
        else:
            out[name] = rng.beta(a * b, (1 - a) * b, n)
    out["key"] = rng.integers(0, 12, n)
    out["mode"] = (rng.random(n) < 0.6).astype(int)
    out["time_signature"] = np.where(rng.random(n) < 0.9, 4, 3)
    return out


def _artists(
    rng: np.random.Generator, n: int, prefix_artists: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """About one artist per 12 tracks: unique readable names, a main genre each and
    sometimes a second one. (Draws from ``rng`` in a fixed order: the library depends on it.)"""
    n_artists = max(len(GENRES), n // 12)
    artist_genre = rng.integers(0, len(GENRES), n_artists)
    second = rng.integers(0, len(GENRES), n_artists)
    has_second = rng.random(n_artists) < 0.2
    names = []
    for i in range(n_artists):
        if i % 3 == 0:
            name = f"{_SOLO_FIRST[rng.integers(len(_SOLO_FIRST))]} {_SOLO_LAST[rng.integers(len(_SOLO_LAST))]}"
        else:
            name = f"{_FIRST[rng.integers(len(_FIRST))]} {_SECOND[rng.integers(len(_SECOND))]}"
        names.append(f"{name} {prefix_artists + i}" if n_artists > 400 else name)
    # Make names unique while keeping them readable.
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            seen[name] += 1
            names[i] = f"{name} {_ROMAN[min(seen[name], 9) - 1]}"
        else:
            seen[name] = 1
    return names, artist_genre, second, has_second


_ROMAN = ("II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _genre_features(rng: np.random.Generator, track_genre: np.ndarray) -> dict[str, np.ndarray]:
    """Every track's features, drawn from its genre's distributions (genre by genre)."""
    import numpy as np

    n = len(track_genre)
    feats: dict[str, np.ndarray] = {}
    columns = None
    for gi, genre in enumerate(GENRES):
        idx = np.flatnonzero(track_genre == gi)
        if not len(idx):
            continue
        drawn = _draw_features(rng, genre, len(idx))
        if columns is None:
            columns = list(drawn)
            feats = {c: np.zeros(n) for c in columns}
        for c in columns:
            feats[c][idx] = drawn[c]
    return feats


def _features(track_id: str, feats: dict[str, np.ndarray], i: int) -> Features:
    def r(name: str, digits: int) -> float:
        return round(float(feats[name][i]), digits)

    return Features(
        track_id=track_id,
        provider=DEMO_PROVIDER,
        **{f: r(f, 3) for f in ("danceability", "energy", "valence", "tempo", "loudness")},
        **{f: r(f, 4) for f in ("acousticness", "instrumentalness", "speechiness", "liveness")},
        **{f: int(feats[f][i]) for f in ("key", "mode", "time_signature")},
    )


def _title(style: float, a: str, b: str, c: str) -> str:
    if style < 0.4:
        return f"{a} {b}"
    if style < 0.75:
        return f"{b} {c}"
    return f"{a} {c}"


def _make_tracks(
    rng: np.random.Generator, n: int, prefix_artists: int, missing_share: float
) -> tuple[list[Track], list[Features]]:
    names, artist_genre, second, has_second = _artists(rng, n, prefix_artists)
    track_artist = rng.integers(0, len(names), n)
    ids = _track_id(rng, n)
    ta = rng.integers(0, len(_TITLE_A), n)
    tb = rng.integers(0, len(_TITLE_B), n)
    tc = rng.integers(0, len(_TITLE_C), n)
    style = rng.random(n)
    durations = rng.normal(215_000, 45_000, n).clip(60_000, 600_000).astype(int)
    years = rng.integers(1965, 2026, n)
    missing = rng.random(n) < missing_share
    feats = _genre_features(rng, artist_genre[track_artist])

    tracks: list[Track] = []
    features: list[Features] = []
    for i in range(n):
        a = track_artist[i]
        g = [GENRES[artist_genre[a]]]
        if has_second[a] and second[a] != artist_genre[a]:
            g.append(GENRES[second[a]])
        tracks.append(
            Track(
                id=ids[i],
                name=_title(style[i], _TITLE_A[ta[i]], _TITLE_B[tb[i]], _TITLE_C[tc[i]]),
                artists=(names[a],),
                album=f"{_TITLE_B[tb[i]]} of {names[a].split()[0]}",
                duration_ms=int(durations[i]),
                release_date=str(int(years[i])),
                genres=tuple(g),
            )
        )
        if not missing[i]:
            features.append(_features(ids[i], feats, i))
    return tracks, features


def _playlists(
    rng: np.random.Generator, tracks: list[Track], saved_mask: np.ndarray, seed: int
) -> list[tuple[Playlist, list[str]]]:
    """Five owned playlists of two genres each; every track not saved sits in at least one
    of them, so the whole library is reachable."""
    unsaved = {t.id for t, m in zip(tracks, saved_mask, strict=True) if not m}
    playlists: list[tuple[Playlist, list[str]]] = []
    for i, (name, pool) in enumerate(_playlist_pools(tracks)):
        items = _playlist_items(rng, pool, unsaved)
        playlists.append((_demo_playlist(i, name, seed, len(items)), [str(x) for x in items]))
    return playlists


#: Each demo playlist's name and the two genres (a track's first) it draws from.
_PLAYLIST_GENRES = (
    ("Sunday Morning", "acoustic folk", "jazz"),
    ("Gym Mix", "metal", "edm"),
    ("Late Night Drive", "soul", "hip hop"),
    ("Focus", "ambient", "classical"),
    ("Party Starters", "pop", "live rock"),
)


def _playlist_pools(tracks: list[Track]) -> list[tuple[str, list[str]]]:
    by_genre: dict[str, list[str]] = {}
    for t in tracks:
        by_genre.setdefault(t.genres[0], []).append(t.id)
    return [
        (name, by_genre.get(first, []) + by_genre.get(second, []))
        for name, first, second in _PLAYLIST_GENRES
    ]


def _playlist_items(rng: np.random.Generator, pool: list[str], unsaved: set[str]) -> list:
    """Every unsaved track of the pool, and about a sixth of its saved ones (at least one)."""
    chosen = [tid for tid in pool if tid in unsaved]
    extra = [tid for tid in pool if tid not in unsaved]
    if not extra:
        return chosen
    take = max(1, len(extra) // 6)
    return chosen + list(rng.choice(extra, size=min(take, len(extra)), replace=False))


def _demo_playlist(i: int, name: str, seed: int, total: int) -> Playlist:
    return Playlist(
        id=f"demoplaylist{i:010d}",
        name=name,
        owner_id=DEMO_USER,
        owner_name="Demo Listener",
        snapshot_id=f"demo-snap-{seed}-{i}",
        collaborative=False,
        public=False,
        total=total,
        owned=True,
    )


def generate(
    n_tracks: int = DEMO_SIZE,
    seed: int = DEMO_SEED,
    n_catalog: int = 0,
    missing_share: float = DEMO_MISSING_SHARE,
) -> DemoLibrary:
    """Generate a library of ``n_tracks`` (plus ``n_catalog`` candidate tracks)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    tracks, features = _make_tracks(rng, n_tracks, 0, missing_share)
    catalog, catalog_features = ([], [])
    if n_catalog:
        catalog, catalog_features = _make_tracks(rng, n_catalog, 100_000, missing_share)

    # Saved: 70% of the library, with added_at dates going back ~5 years.
    saved_mask = rng.random(n_tracks) < 0.7
    base = np.datetime64("2026-11-01T12:00:00")
    offsets = np.sort(rng.integers(0, 5 * 365 * 24 * 3600, saved_mask.sum()))
    saved = [
        (t.id, str(base - np.timedelta64(int(off), "s")) + "Z")
        for t, off in zip(
            [t for t, m in zip(tracks, saved_mask, strict=True) if m], offsets, strict=True
        )
    ]
    playlists = _playlists(rng, tracks, saved_mask, seed)
    top, recent = _listening(tracks, features, saved, seed)
    return DemoLibrary(tracks, features, saved, playlists, catalog, catalog_features, top, recent)


#: What the demo listener plays: genre -> weight (short term: dance; long term: folk, jazz).
_LISTENING = {
    "short_term": ({"edm": 4, "pop": 3, "hip hop": 1}, 20),
    "medium_term": ({"pop": 2, "soul": 2, "edm": 1, "acoustic folk": 1}, 30),
    "long_term": ({"acoustic folk": 3, "jazz": 2, "soul": 1, "classical": 1}, 40),
    "recent": ({"edm": 2, "pop": 1, "ambient": 1}, 25),
}


def _listening(
    tracks: list[Track], features: list[Features], saved: list[tuple[str, str]], seed: int
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Top tracks for the three time ranges and recent plays, drawn (with their own random
    generator, so the rest of the library does not change) from saved tracks with features,
    weighted by the genres in :data:`_LISTENING`."""
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    have = {f.track_id for f in features}
    saved_ids = {t for t, _ in saved}
    pool = [t for t in tracks if t.id in have and t.id in saved_ids]
    out: dict[str, list[str]] = {}
    for name, (weights, size) in _LISTENING.items():
        w = np.array([weights.get(t.genres[0], 0) for t in pool], dtype=float)
        picks = rng.choice(len(pool), size=size, replace=False, p=w / w.sum())
        out[name] = [pool[i].id for i in picks]
    base = np.datetime64("2026-11-01T11:00:00")
    recent = [
        (str(base - np.timedelta64(7 * 60 * i, "s")) + "Z", tid)
        for i, tid in enumerate(out.pop("recent"))
    ]
    return out, recent


def populate(
    store,  # spotui.store.Store; not imported to keep this module free of the SQL layer
    n_tracks: int = DEMO_SIZE,
    seed: int = DEMO_SEED,
    n_catalog: int = DEMO_CATALOG_SIZE,
    progress: Callable[[int, int, str], None] | None = None,
) -> DemoLibrary:
    """Fill an empty store with a generated library in one transaction."""
    lib = generate(n_tracks, seed, n_catalog)
    if progress:
        progress(0, 3, "generating demo library")
    with store.transaction():
        store.tracks.upsert_tracks(lib.tracks + lib.catalog)
        store.tracks.upsert_features(lib.features + lib.catalog_features)
        store.library.add_saved(lib.saved)
        store.library.upsert_playlists([p for p, _ in lib.playlists])
        for p, items in lib.playlists:
            store.library.put_playlist_items(p.id, 0, [(tid, None) for tid in items])
            store.library.set_playlist_items_status(p.id, "ok", p.snapshot_id)
        if lib.catalog:
            store.library.add_imports([t.id for t in lib.catalog], "catalog", "demo catalog")
        _store_listening(store, lib)
        store.set_meta("demo_seed", str(seed))
        store.set_meta("demo_size", str(n_tracks))
    if progress:
        progress(3, 3, "demo library ready")
    return lib


def _store_listening(store, lib: DemoLibrary) -> None:
    for time_range, ids in lib.top.items():
        store.library.replace_top(time_range, ids)
    store.library.add_recent(lib.recent)
    store.set_meta("demo_listening", "1")


def ensure_demo(store, progress: Callable[[int, int, str], None] | None = None) -> bool:
    """Populate the demo database on first use; returns True if it was created now.

    A demo database made before it had top tracks and recent plays gets them added."""
    if store.get_meta("demo_seed") is not None:
        if store.get_meta("demo_listening") is None:
            size = int(store.get_meta("demo_size") or DEMO_SIZE)
            lib = generate(size, DEMO_SEED, DEMO_CATALOG_SIZE)  # as populate made it
            with store.transaction():
                _store_listening(store, lib)
        return False
    populate(store, progress=progress)
    return True
