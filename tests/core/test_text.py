"""The one plural and number format of both faces."""

from __future__ import annotations

from spotui.core.text import count, number, plural


def test_count_agrees_and_groups_thousands():
    assert count(1, "track") == "1 track"
    assert count(0, "track") == "0 tracks"
    assert count(2010, "track") == "2,010 tracks"
    assert count(1, "request") == "1 request"
    assert count(3, "library") == "3 libraries"
    assert count(2, "match", "matches") == "2 matches"
    assert number(1234567) == "1,234,567"
    assert plural(1, "CSV file") == "CSV file" and plural(2, "CSV file") == "CSV files"
