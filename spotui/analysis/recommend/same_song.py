"""Versions of the same song: one key for "Levels", "Levels - Radio Edit" and "Levels (Live)".

A recommender that finds tracks that *sound like* a seed finds the seed's other releases
first (a remaster, a radio edit, the single, the live take); they are not recommendations.
Two tracks are versions of one song when

* they have the same ISRC (the recording's code, where known), or
* they have the same artists (as a set, case-insensitive) and the same title once version
  suffixes are stripped: " - Remastered 2011", " - 2011 Remaster", " - Radio Edit",
  " - Live", " - Ao Vivo", " - Acoustic Version", " - Single Version / Mono",
  " - From \\"Frozen\\"", " (feat. X)", " [feat. X]", " (Remastered)", " (Live in Japan, 1975)".

A suffix is stripped only when it names a version (remaster, live, edit, mix, version,
mono, acoustic, from "...", feat./with ...), so " - Pt. 2" and "(I Can't Get No)" stay.
Pure functions, no numpy: small and easy to test.
"""

from __future__ import annotations

import re
import unicodedata

from spotui.core.records import Track

# Words that make a " - ..." or "(...)" suffix a version label rather than part of the title.
_VERSION_WORDS = (
    r"remaster(?:ed)?|remasteri[sz]ed|remasterizad[oa]|re-?master(?:ed)?|re-?recorded"
    r"|live|ao vivo|en vivo|en directo|vivo|unplugged|stripped"
    r"|edit|version|versi[oóã]n|vers[aã]o|ver\.|mix|mixed|remix|rmx"
    r"|mono|stereo|acoustic|ac[uú]stic[oa]|instrumental|karaoke|demo|single|bonus(?: track)?"
    r"|extended|original|explicit|clean|deluxe|edition|anniversary"
)
_VERSION_RE = re.compile(rf"\b(?:{_VERSION_WORDS})\b", re.IGNORECASE)
_LEADING_RE = re.compile(r"^(?:from|feat\.?|ft\.?|featuring|with|prod\.?)\s", re.IGNORECASE)
_YEAR_RE = re.compile(r"^\d{4}$")
_DASH_SUFFIX = re.compile(r"\s+[-\u2013\u2014]\s+(?P<s>[^-\u2013\u2014]+?)\s*$")
_BRACKET_SUFFIX = re.compile(r"\s*[\(\[](?P<s>[^\(\)\[\]]*)[\)\]]\s*$")
_FEAT_INLINE = re.compile(r"\s+(?:feat\.|ft\.|featuring)\s+.*$", re.IGNORECASE)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_SPACES = re.compile(r"\s+")


def _is_version_label(label: str) -> bool:
    label = label.strip()
    return bool(_VERSION_RE.search(label) or _LEADING_RE.match(label) or _YEAR_RE.match(label))


def version_title(name: str) -> str:
    """The song's title without version suffixes, casefolded and with spaces collapsed.

    >>> version_title("Levels - Radio Edit")
    'levels'
    >>> version_title("Here Comes The Sun - Remastered 2009")
    'here comes the sun'
    >>> version_title("Pt. 1 - Pt. 2")
    'pt. 1 - pt. 2'
    """
    title = unicodedata.normalize("NFKC", name).translate(_QUOTES)
    title = _SPACES.sub(" ", title).strip()
    while True:
        before = title
        for pattern in (_DASH_SUFFIX, _BRACKET_SUFFIX):
            m = pattern.search(title)
            if m and m.start() > 0 and _is_version_label(m.group("s")):
                title = title[: m.start()].rstrip()
        m = _FEAT_INLINE.search(title)
        if m and m.start() > 0:
            title = title[: m.start()].rstrip()
        if title == before:
            break
    return title.casefold()


def artist_set(artists) -> tuple[str, ...]:
    """The artists as a sorted, casefolded, de-duplicated tuple (order of credit ignored)."""
    return tuple(sorted({_SPACES.sub(" ", a).strip().casefold() for a in artists if a.strip()}))


def version_key(track: Track) -> tuple[str, tuple[str, ...]]:
    """(title without version suffixes, artist set): equal for versions of one song."""
    return version_title(track.name), artist_set(track.artists)


def isrc_key(track: Track) -> str | None:
    """The track's ISRC, normalised (upper case, no dashes or spaces), or None."""
    if not track.isrc:
        return None
    code = re.sub(r"[\s-]", "", track.isrc).upper()
    return code or None


def same_song(a: Track, b: Track) -> bool:
    """True when ``a`` and ``b`` are versions of one song (same ISRC, or same key)."""
    ia, ib = isrc_key(a), isrc_key(b)
    if ia is not None and ia == ib:
        return True
    return version_key(a) == version_key(b)


class VersionFilter:
    """Remembers songs already shown; ``seen(track)`` is True for another version of one.

    Used while picking results: the seeds are added first, then each pick, so neither a
    version of a seed nor two versions of one song ever reach the results.
    """

    __slots__ = ("_isrcs", "_keys")

    def __init__(self, tracks=()):
        self._keys: set[tuple] = set()
        self._isrcs: set[str] = set()
        for t in tracks:
            self.add(t)

    def copy(self) -> VersionFilter:
        out = VersionFilter()
        out._keys = set(self._keys)
        out._isrcs = set(self._isrcs)
        return out

    def add(self, track: Track) -> None:
        self._keys.add(version_key(track))
        code = isrc_key(track)
        if code is not None:
            self._isrcs.add(code)

    def seen(self, track: Track) -> bool:
        code = isrc_key(track)
        return (code is not None and code in self._isrcs) or version_key(track) in self._keys


def version_groups(tracks) -> list[list[int]]:
    """Indices of ``tracks`` grouped by song (groups of two or more only); for benchmarks."""
    parent = list(range(len(tracks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict = {}
    for i, t in enumerate(tracks):
        for key in (("k", version_key(t)), ("i", isrc_key(t))):
            if key[1] is None:
                continue
            j = first.setdefault(key, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(tracks)):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


__all__ = [
    "VersionFilter",
    "artist_set",
    "isrc_key",
    "same_song",
    "version_groups",
    "version_key",
    "version_title",
]
