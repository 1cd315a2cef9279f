"""What spotui knows about audio features, in one place and without numpy.

Why one numpy-free module: the store, the CSV importer, the exporters, the CLI's argument
choices and the TUI's table and detail pane all need the feature names, their labels and
units, how CSV headers spell them and which clustering methods exist. The TUI paints
before numpy is imported, so none of this may live in :mod:`spotui.analysis` (which
imports numpy); before this module each face kept its own copy and a test kept the
copies equal.
"""

from __future__ import annotations

import math

#: Every audio feature spotui stores. Any of them may be missing for a track.
FEATURE_NAMES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "tempo",
    "loudness",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "key",
    "mode",
    "time_signature",
)

#: Whole-number features (pitch class, major/minor, beats per bar).
INT_FEATURES: tuple[str, ...] = ("key", "mode", "time_signature")

#: Features on a 0..1 scale (the rest have units: BPM, dB, pitch class...).
UNIT_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
)

#: The columns used for mood (segmentation, recommendations, the detail bars), in order:
#: the 0..1 features, then tempo and loudness.
MOOD_FEATURES: tuple[str, ...] = (*UNIT_FEATURES, "tempo", "loudness")

#: The documented range of every feature (inclusive). A CSV value outside it (or NaN, or
#: infinite) is an error naming file, line and column: one row with a tempo of 99999 would
#: otherwise drag a cluster's centroid anywhere.
FEATURE_RANGES: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1.0) for name in UNIT_FEATURES},
    "tempo": (0.0, 300.0),
    "loudness": (-60.0, 5.0),
    "key": (-1, 11),
    "mode": (0, 1),
    "time_signature": (0, 7),
}

#: The values Spotify gives when its analysis detected nothing (no key, no beat): real
#: datasets have them (the Kaggle sample: 42 tracks with tempo 0, 44 with time signature 0).
#: They are stored as missing, so the analysis fills in a median instead of a 0 BPM track.
NOT_DETECTED: dict[str, float] = {"tempo": 0.0, "key": -1, "time_signature": 0}

#: A track's duration must be more than 0 and less than this (24 hours).
MAX_DURATION_MS = 86_400_000

#: Labels for column headers, sort keys and the help screen.
LABELS: dict[str, str] = {
    "danceability": "Dance",
    "energy": "Energy",
    "valence": "Valence",
    "tempo": "BPM",
    "loudness": "Loudness",
    "acousticness": "Acoustic",
    "instrumentalness": "Instrumental",
    "speechiness": "Speech",
    "liveness": "Live",
    "key": "Key",
    "mode": "Mode",
    "time_signature": "Time signature",
}

#: At most 8 characters, for the detail pane's bar labels.
SHORT_LABELS: dict[str, str] = {
    "danceability": "dance",
    "energy": "energy",
    "valence": "valence",
    "acousticness": "acoustic",
    "instrumentalness": "instrum.",
    "speechiness": "speech",
    "liveness": "live",
    "tempo": "tempo",
    "loudness": "loudness",
}

#: Units of the features that are not on a 0..1 scale.
UNITS: dict[str, str] = {"tempo": "bpm", "loudness": "dB"}
#: Decimals a feature is shown with (tempo in whole BPM, loudness to 0.1 dB, ratios to 0.01).
DECIMALS: dict[str, int] = {"tempo": 0, "loudness": 1}


def format_number(feature: str, value: float) -> str:
    """A feature value with the decimals it is shown with everywhere (no unit)."""
    return f"{value:.{DECIMALS.get(feature, 2)}f}"


def format_value(feature: str, value: float) -> str:
    """A feature value with its decimals and unit: "124 bpm", "-7.2 dB", "0.82"."""
    unit = UNITS.get(feature)
    return f"{format_number(feature, value)} {unit}" if unit else format_number(feature, value)


#: Fixed ranges mapping tempo and loudness onto 0..1 (see ``analysis.matrix.to_unit``).
TEMPO_RANGE: tuple[float, float] = (50.0, 200.0)
LOUDNESS_RANGE: tuple[float, float] = (-35.0, 0.0)
#: Right-skewed features (most tracks near 0), mapped through a square root.
SQRT_FEATURES: tuple[str, ...] = ("speechiness", "liveness")

#: Clustering methods, in the order the CLI and the re-segment dialog offer them.
METHODS: tuple[str, ...] = ("kmeans", "gmm", "agglomerative")
DEFAULT_METHOD = "kmeans"

#: CSV header aliases of track fields, compared case-insensitively after stripping; the
#: first alias present wins. Feature columns are found by their snake_case names.
CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("track uri", "track_id", "spotify_id", "id", "uri", "track id", "spotify uri", "url"),
    "name": ("track name", "track_name", "name", "title", "track", "song"),
    "artists": ("artist name(s)", "artists", "artist", "artist name", "artist_name"),
    "album": ("album name", "album_name", "album"),
    "duration_ms": ("duration (ms)", "track duration (ms)", "duration_ms"),
    "release_date": ("release date", "album release date", "release_date", "year"),
    "genres": ("genres", "artist genres", "track_genre", "genre"),
    "isrc": ("isrc",),
    "artist_ids": ("artist uri(s)",),
}

#: exportify.net's feature columns -> feature names (what ``spotui export --format csv``
#: writes and ``spotui import`` reads back).
EXPORTIFY_FEATURES: dict[str, str] = {
    "Danceability": "danceability", "Energy": "energy", "Key": "key", "Loudness": "loudness",
    "Mode": "mode", "Speechiness": "speechiness", "Acousticness": "acousticness",
    "Instrumentalness": "instrumentalness", "Liveness": "liveness", "Valence": "valence",
    "Tempo": "tempo", "Time Signature": "time_signature",
}  # fmt: skip


def unit_value(feature: str, value: float | None) -> float | None:
    """One raw value on the 0..1 scale the analysis uses (``analysis.matrix.to_unit`` for a
    single value, in plain Python and float64 throughout, so the same result)."""
    if value is None:
        return None
    v = float(value)
    if v != v:  # NaN stays NaN
        return v
    if feature in ("tempo", "loudness"):
        lo, hi = TEMPO_RANGE if feature == "tempo" else LOUDNESS_RANGE
        return min(max((v - lo) / (hi - lo), 0.0), 1.0)
    v = min(max(v, 0.0), 1.0)
    return math.sqrt(v) if feature in SQRT_FEATURES else v
