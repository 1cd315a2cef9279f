"""The Source value: what the track table lists, parsed and written only at the edges."""

from __future__ import annotations

from spotui.tui.source import ALL, SELECTION, UNANALYSED, Source


def test_keys_round_trip():
    for source in (ALL, UNANALYSED, SELECTION, Source.cluster(3), Source.cluster(-1),
                   Source.playlist("37i9dQZF1DXcBWIGoYBM5M")):  # fmt: skip
        assert Source.parse(source.key()) == source
        assert str(source) == source.key()


def test_a_playlist_id_starting_with_c_is_a_playlist():
    source = Source.parse("p:c3")
    assert source is not None and source.kind == "playlist" and source.playlist_id == "c3"
    assert source.cluster_id is None


def test_ids_by_kind():
    assert Source.cluster(4).cluster_id == 4 and Source.cluster(4).playlist_id is None
    assert ALL.cluster_id is None and ALL.playlist_id is None
    assert Source.parse("c3") == Source.cluster(3) and Source.parse("c3") != "c3"
    assert Source.cluster(3) != Source.playlist("3")
    assert len({Source.cluster(3), Source.parse("c3")}) == 1


def test_other_text_is_no_source():
    for text in ("", "cx", "p", "everything", "3"):
        assert Source.parse(text) is None
