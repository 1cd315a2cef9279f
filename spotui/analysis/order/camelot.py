"""Keys in Camelot notation, and how far apart two keys are for a mix.

Why Camelot: DJs and the tools listeners already use for harmonic sorting (Mixed In Key,
sort-play) speak it, and its wheel makes "sounds right next to" a matter of counting: keys a
perfect fifth apart are neighbours (+/-1, same letter), and a major key sits on the same number
as its relative minor (8B C major, 8A A minor). Spotify gives the key as a pitch class
(0 = C ... 11 = B, -1 = not detected) and the mode as 1 major / 0 minor; a missing key or mode
gives no code at all rather than a guess, since a wrong key would be shown and mixed on.

Numpy-free: the track table and the detail pane show the code before numpy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Spotify's "no key detected".
UNKNOWN_KEY = -1

# One spelling per pitch class and mode, the one the Camelot wheel uses (D♭ major, C♯ minor).
_MAJOR_NAMES = ("C", "D♭", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")
_MINOR_NAMES = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "G♯", "A", "B♭", "B")

#: Camelot distance of the moves a DJ calls smooth: +/-1 on the wheel or relative major/minor.
SMOOTH = 1
#: The largest distance: the opposite side of the wheel and the other letter.
MAX_DISTANCE = 7


@dataclass(frozen=True, slots=True, order=True)
class Camelot:
    """A position on the Camelot wheel: number 1-12, letter A (minor) or B (major)."""

    number: int
    letter: str

    def __str__(self) -> str:
        return f"{self.number}{self.letter}"


def camelot(key: int | None, mode: int | None) -> Camelot | None:
    """The wheel position of a Spotify key and mode, or None when either is missing."""
    if key is None or mode is None or not 0 <= key <= 11 or mode not in (0, 1):
        return None
    # A minor key is placed by its relative major (three semitones up); the wheel walks the
    # circle of fifths (7 semitones a step) with C major at 8.
    major = key if mode == 1 else (key + 3) % 12
    return Camelot((7 * major + 7) % 12 + 1, "B" if mode == 1 else "A")


def key_name(key: int | None, mode: int | None) -> str | None:
    """The musical name ("C major", "F♯ minor"), or None when key or mode is missing."""
    if camelot(key, mode) is None:
        return None
    assert key is not None
    return f"{_MAJOR_NAMES[key]} major" if mode == 1 else f"{_MINOR_NAMES[key]} minor"


def key_label(key: int | None, mode: int | None) -> str | None:
    """The column text, "8B · C major"; None when key or mode is missing."""
    code = camelot(key, mode)
    return None if code is None else f"{code} · {key_name(key, mode)}"


def parse(code: str) -> Camelot:
    """A code as typed ("8b", " 12A"), so the faces can take a key on the command line."""
    text = code.strip().upper()
    number, letter = text[:-1], text[-1:]
    if letter not in ("A", "B") or not number.isdigit() or not 1 <= int(number) <= 12:
        raise ValueError(f"not a Camelot key: {code!r} (1A-12B)")
    return Camelot(int(number), letter)


def wheel_steps(a: Camelot, b: Camelot) -> int:
    """Steps between the numbers round the wheel (0-6), whatever the letters."""
    d = abs(a.number - b.number) % 12
    return min(d, 12 - d)


def camelot_distance(a: Camelot, b: Camelot) -> int:
    """How hard a mix from ``a`` to ``b`` is, in wheel steps (0-7).

    The rule: same key 0; one step round the wheel with the same letter, or the relative
    major/minor (same number, other letter), 1 (smooth); anything else is its wheel steps
    plus 1 when the letter changes too, so an "energy boost" diagonal (8A to 9B) costs 2 and
    the far side of the wheel 6 or 7.
    """
    return wheel_steps(a, b) + (a.letter != b.letter)


#: What each distance costs in the objective (0..1): smooth moves a fifth of a clash, the
#: rest rising evenly to 1 at the far side, so one step beyond smooth is already a jump.
DISTANCE_COST: tuple[float, ...] = (0.0, 0.2, 0.4, 0.52, 0.64, 0.76, 0.88, 1.0)
