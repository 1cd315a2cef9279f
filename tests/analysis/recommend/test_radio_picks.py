"""The radio's pure rules: skip or keep, the drift, no repeats and the artist cap."""

from __future__ import annotations

import numpy as np

from spotui.analysis.recommend import radio_picks as rp
from spotui.analysis.recommend.radio_picks import Candidate


def test_a_skip_leaves_more_than_30_s_and_a_fifth_unplayed():
    assert rp.is_skip(20, 200)
    assert not rp.is_skip(175, 200)  # 25 s left: the outro
    assert not rp.is_skip(50, 70)  # 20 s left of a short track
    assert rp.is_skip(400, 600)  # 200 s left of a long one
    assert not rp.is_skip(500, 600)  # 100 s left, under a fifth
    assert not rp.is_skip(0, 0)


def test_several_ended_tracks_take_the_fewest_skips_earliest_first():
    assert rp.split_interval(203, [200]) == [False]
    assert rp.split_interval(25, [200]) == [True]
    # the first was cut at 20 s, the second played to its end within the first's time
    assert rp.split_interval(202, [200, 182]) == [True, False]
    # three ended within one track's time: at least two were skips
    assert sum(rp.split_interval(210, [200, 190, 180])) == 2


def test_the_drift_is_slow_and_capped():
    w = [rp.drift_weight(k) for k in range(0, 60)]
    assert w[0] == 0 and all(a < b for a, b in zip(w, w[1:], strict=False))
    assert w[1] < 0.05 and w[-1] <= rp.DRIFT_MAX


def test_scores_lean_toward_keeps_and_away_from_skips():
    mood = np.zeros(2)
    x = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    plain, _ = rp.score(x, mood, 1.0)
    assert plain[0] > plain[1] == plain[2]
    leaned, drift = rp.score(x, mood, 1.0, kept=np.array([[1.0, 0.0]] * 5), keeps=30)
    assert leaned[1] > leaned[2] and drift[1] > 0
    pushed, _ = rp.score(x, mood, 1.0, skipped=np.array([[1.0, 0.0]]))
    assert pushed[1] < pushed[2]


def test_choose_never_repeats_and_caps_artists_per_ten():
    cands = [Candidate(f"t{i}", artists=("A",) if i < 5 else (f"B{i}",)) for i in range(12)]
    scores = np.linspace(1, 0, len(cands))
    picks = rp.choose(cands, scores, 6, excluded={"t5"})
    ids = [p.candidate.track_id for p in picks]
    assert ids == ["t0", "t1", "t6", "t7", "t8", "t9"]
    # the window counts what was queued before: two A's among the last 9 leave no room
    picks = rp.choose(cands, scores, 3, recent_artists=[("A",), ("x",), ("A",)])
    assert all(p.candidate.artists != ("A",) for p in picks)
    # ten tracks later the artist may come back
    picks = rp.choose(cands, scores, 1, recent_artists=[("A",), ("A",)] + [("x",)] * 9)
    assert picks[0].candidate.track_id == "t0"


def test_choose_says_why():
    cands = [Candidate("a", source=rp.DISCOVERY), Candidate("b")]
    picks = rp.choose(cands, [1.0, 0.5], 2, drift=[0.0, 0.1])
    assert picks[0].why == "close to the mood, new to you (discovery)"
    assert picks[1].why == "leans toward what you played to the end"
