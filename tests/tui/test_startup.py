"""The TUI's first-paint path stays numpy-free, and its numpy-free copies agree with the
analysis they mirror (issue 8: startup time and memory)."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import numpy as np
import pytest

from spotui.analysis import matrix as analysis_matrix
from spotui.analysis.moods import result as result_module
from spotui.analysis.moods import segment
from spotui.core import feature_spec
from spotui.session import mood_store
from spotui.sources.demo import populate
from spotui.store import Store
from spotui.tui.rows import ROW_COLUMNS, TABLE_FEATURES, LibraryRows
from spotui.tui.widgets import feature_bars


def test_feature_bars_unit_matches_the_analysis() -> None:
    """The detail bars' numpy-free mapping (feature_spec.unit_value) is the analysis's."""
    assert feature_bars.MOOD_FEATURES is analysis_matrix.MOOD_FEATURES
    rng = random.Random(3)
    values = [rng.uniform(-60, 260) for _ in range(300)] + [0.0, 0.25, 1.0, 50.0, 200.0, -35.0]
    for name in analysis_matrix.MOOD_FEATURES:
        for v in values:
            expected = float(analysis_matrix.to_unit(name, np.array([v]))[0])
            assert feature_spec.unit_value(name, v) == expected
        assert feature_spec.unit_value(name, None) is None
        assert math.isnan(feature_spec.unit_value(name, float("nan")))


def test_segment_reexports_the_numpy_free_result() -> None:
    assert segment.SegmentResult is result_module.SegmentResult
    assert segment.UNANALYSED_ID == result_module.UNANALYSED_ID == -1


def test_library_rows_without_numpy_match_the_array(tmp_path) -> None:
    with Store.open(tmp_path / "lib.db") as store:
        populate(store, n_tracks=300, seed=5, n_catalog=20)
        table = store.queries.library_table(ROW_COLUMNS)
        raw = store.conn.execute(
            "SELECT f.energy, f.valence, f.danceability, f.acousticness, f.tempo, f.key, f.mode "
            "FROM tracks t "
            "LEFT JOIN features f ON f.track_id = t.id WHERE t.id IN (SELECT track_id FROM library) "
            "ORDER BY t.rowid"
        ).fetchall()
        rows = LibraryRows(*table)
    expected = np.array([[np.nan if v is None else v for v in r] for r in raw], dtype=np.float32)
    assert rows.features.shape == (300, len(ROW_COLUMNS))
    np.testing.assert_array_equal(rows.features, expected)
    missing = [i for i in range(len(rows)) if np.isnan(expected[i]).all()]
    assert missing  # the demo library has tracks without features
    for i in (0, 7, missing[0]):
        got = np.array(rows.row_features(i), dtype=np.float32)
        np.testing.assert_array_equal(got, expected[i, : len(TABLE_FEATURES)])
    by_energy = rows.view(None, sort_key="energy", descending=True)
    energies = [rows.row_features(i)[0] for i in by_energy]
    known = [e for e in energies if not math.isnan(e)]
    assert known == sorted(known, reverse=True)
    assert all(math.isnan(e) for e in energies[len(known) :])


@pytest.mark.parametrize("demo", [False, True])
def test_first_paint_path_does_not_import_numpy(tmp_path, demo) -> None:
    """What the app reads before its first paint (rows, stored clusters, detail bars), on
    a real library and on ``--demo`` (whose library already exists)."""
    db = tmp_path / ("demo.sqlite3" if demo else "library.sqlite3")
    with Store.open(db) as store:
        populate(store, n_tracks=200, seed=2, n_catalog=0)
        mood_store.segment(store)
    code = (
        "import sys\n"
        "from spotui.config.env import Config\n"
        "from spotui.session.facade import Session\n"
        "import spotui.tui.app, spotui.tui.screens.main\n"
        "from spotui.tui.rows import ROW_COLUMNS, LibraryRows\n"
        "from pathlib import Path\n"
        "from spotui.core.feature_spec import unit_value\n"
        f"here = Path({str(tmp_path)!r})\n"
        f"config = Config(data_dir=here, config_dir=here, demo={demo})\n"
        "session = Session(config).open(prepare=False)\n"
        "snapshot = session.library.snapshot(ROW_COLUMNS)\n"
        "rows0 = LibraryRows(*snapshot.table)\n"
        "[rows0.key_label(i) for i in range(len(rows0))]\n"
        "rows, result = LibraryRows(*snapshot.table), snapshot.result\n"
        "assert len(rows) == 200 and result is not None and result.clusters\n"
        "unit_value('tempo', 120.0)\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
