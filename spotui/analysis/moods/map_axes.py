"""Positions for the mood map: the mood view (valence x energy) and the texture view (PCA)."""

from __future__ import annotations

import numpy as np

from spotui.analysis.matrix import MOOD_FEATURES, FeatureMatrix


def mood_xy(raw: np.ndarray, columns: tuple[str, ...] = MOOD_FEATURES) -> np.ndarray:
    """Mood-map positions: x = valence (sad to happy), y = energy (calm to energetic).

    Raw Spotify values, not a projection: the axes mean the same in every library and a
    listener can read them ("up is more energetic"), which a PCA's components cannot promise.
    """
    raw = np.asarray(raw, dtype=np.float64)
    if len(raw) == 0:
        return np.zeros((0, 2))
    return np.column_stack([raw[:, columns.index("valence")], raw[:, columns.index("energy")]])


def texture_coords(matrix: FeatureMatrix) -> dict[str, tuple[float, float]]:
    """The map's second view: the analysis matrix's first two principal components.

    Computed on demand (not stored with every result): most users stay on the mood view,
    and 100k positions would double what the TUI reads at start-up.
    """
    xy = pca_2d(matrix.scaled, tuple(matrix.columns))
    return dict(zip(matrix.track_ids, map(tuple, np.round(xy, 4).tolist()), strict=True))


def pca_2d(x: np.ndarray, columns: tuple[str, ...] = MOOD_FEATURES) -> np.ndarray:
    """First two principal components, oriented so energy grows to the right and valence
    upwards (signs are otherwise arbitrary and would flip the map between runs)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return np.zeros((0, 2))
    centered = x - x.mean(axis=0)
    cov = centered.T @ centered / max(len(x) - 1, 1)
    values, vectors = np.linalg.eigh(cov)
    top = vectors[:, np.argsort(values)[::-1][:2]]
    if top.shape[1] < 2:
        top = np.column_stack([top, np.zeros(len(columns))])
    for axis, feature in ((0, "energy"), (1, "valence")):
        j = columns.index(feature) if feature in columns else int(np.argmax(np.abs(top[:, axis])))
        if top[j, axis] < 0 or (
            top[j, axis] == 0 and top[np.argmax(np.abs(top[:, axis])), axis] < 0
        ):
            top[:, axis] *= -1
    return centered @ top
