"""Skips go to ReccoBeats as ``negativeSeeds`` (the radio), cached apart from plain asks."""

from __future__ import annotations

from spotui.core.records import Track
from spotui.http import HttpClient
from spotui.sources.reccobeats import fetch_candidates
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import spotify_id


def test_negative_seeds_are_sent_and_keyed_apart(store):
    seed, skipped = spotify_id(1), spotify_id(2)
    with FakeReccoBeats() as rb:
        rb.add_candidates([Track(spotify_id(n, "c"), f"C{n}", ("A",)) for n in range(20)])
        rb.know([seed, skipped])
        http = HttpClient(rb.url, service="ReccoBeats", backoff=0.01)
        found = fetch_candidates(store, http, [[seed]], negative_seeds=[skipped, seed, skipped])
        assert found.candidate_ids and found.requests == 1
        query = rb.calls("/v1/track/recommendation")[-1][2]
        assert query["negativeSeeds"] == skipped  # a seed is never its own negative
        again = fetch_candidates(store, http, [[seed]], negative_seeds=[skipped])
        assert again.cached_sets == 1 and again.requests == 0
        plain = fetch_candidates(store, http, [[seed]])
        assert plain.cached_sets == 0 and "negativeSeeds" not in rb.calls()[-1][2]
        http.close()
