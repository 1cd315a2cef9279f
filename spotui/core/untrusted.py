"""Names are data, never terminal commands: the one rule for showing text that came from
outside spotui.

Track, artist, album, playlist, device and display names are written by other people
(anyone can name a playlist or a device), and both faces show them on a terminal. Printed
as they are, an ``ESC [2J`` in a name clears the screen, ``ESC ] 0;...BEL`` sets the
window title, OSC 52 writes to the clipboard and ``ESC [6n`` makes the terminal type an
answer into the shell; a right-to-left override turns the rest of a line around. So every
outside string passes :func:`inert` before any face shows it, and the faces never parse it
as markup (they wrap it in ``rich.text.Text``, which is not parsed). The file exports keep
the data; only their format's own traps are defused (:func:`csv_cell`, :func:`json_inert`).

Why one module in the core and not a helper in each face: the TUI and the CLI show the same
names, so they must agree on what a hostile one looks like, and a rule kept in two places
drifts. Pure ``str`` work on purpose (no Rich, no Textual, no numpy): the CLI imports it on
every start-up.

What is replaced, and with what (visible, so a user sees that something was there):

- C0 control characters U+0000–U+001F become their Control Pictures glyph U+2400–U+241F
  (``ESC`` -> ``␛``, ``BEL`` -> ``␇``, ``CR`` -> ``␍``, a newline -> ``␊``), except the tab,
  which is kept, and the newline where the text is meant to have several lines
  (``multiline=True``: the CLI's own output lines, notifications).
- DEL U+007F becomes ``␡`` (U+2421).
- C1 control characters U+0080–U+009F (``\\x9b`` is a one-byte CSI on many terminals),
  the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069,
  and lone surrogates become U+FFFD ``�``.
- The left-to-right and right-to-left marks U+200E/U+200F (and U+061C) are kept: they only
  act as one strong character, cannot turn the rest of a line around, and names written in
  Hebrew or Arabic legitimately carry them.
"""

from __future__ import annotations

import re

#: What a replaced character without a Control Pictures glyph is shown as.
REPLACEMENT = "\ufffd"

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_C0_KEPT = "\t"  # tab: shown as spaces by both faces, harmless


def _table(keep: str) -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20) if chr(c) not in keep}
    table[0x7F] = "\u2421"
    table.update(dict.fromkeys(range(0x80, 0xA0), REPLACEMENT))
    table.update(dict.fromkeys(map(ord, _BIDI_CONTROLS), REPLACEMENT))
    table.update(dict.fromkeys(range(0xD800, 0xE000), REPLACEMENT))
    return table


def _pattern(table: dict[int, str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


_ONE_LINE = _table(_C0_KEPT)
_MULTILINE = _table(_C0_KEPT + "\n")
# Searching first keeps the common case (a clean name) a C-speed scan with no copy: the
# track table renders a screenful of names on every scroll.
_ONE_LINE_UNSAFE = _pattern(_ONE_LINE)
_MULTILINE_UNSAFE = _pattern(_MULTILINE)


def inert(text: str, *, multiline: bool = False) -> str:
    """``text`` with every character a terminal could act on replaced by a visible one.

    One line by default (a name never needs a newline; a newline in one is shown as ``␊``
    so it cannot fake a second line of output); ``multiline=True`` keeps newlines for text
    spotui composes in several lines. A carriage return is always replaced: it would let a
    name overwrite the start of its own line.
    """
    unsafe, table = (_MULTILINE_UNSAFE, _MULTILINE) if multiline else (_ONE_LINE_UNSAFE, _ONE_LINE)
    if unsafe.search(text) is None:
        return text
    return text.translate(table)


# JSON escapes C0 itself (json.dumps writes "\u001b"), but with ensure_ascii=False it leaves
# DEL, C1 and the bidi controls raw, and a raw U+009B printed to a terminal is still a CSI.
_JSON_RAW = re.compile("[\x7f-\x9f" + _BIDI_CONTROLS + "]")


def json_inert(document: str) -> str:
    """A JSON document (as ``json.dumps`` wrote it) with DEL, C1 and bidi controls written
    as ``\\u`` escapes (``\\u202e``): the same data when parsed, no raw control on a terminal.

    Safe on any ``json.dumps`` output because those characters can only occur inside its
    strings, where the escape means exactly the character.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


#: A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV
#: injection"): ``=HYPERLINK(...)`` in a title would become a live link or worse.
CSV_FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_cell(text: str) -> str:
    """An outside string as a CSV cell a spreadsheet will not run: ``'`` in front when it
    starts like a formula (``=+-@``, tab, CR).

    A cell that starts with ``'`` and then a formula character or a second ``'`` gets one
    more ``'``, so :func:`from_csv_cell` can always undo it and ``spotui import`` reads
    back exactly the name that was exported. Only for text: numbers spotui formats itself
    (a loudness of ``-7.25``) stay numbers.
    """
    first = text[:1]
    if first in CSV_FORMULA_STARTS or (first == "'" and _quoted_start(text)):
        return "'" + text
    return text


def from_csv_cell(cell: str) -> str:
    """The name :func:`csv_cell` was given (other cells are returned as they are)."""
    return cell[1:] if cell[:1] == "'" and _quoted_start(cell) else cell


def _quoted_start(text: str) -> bool:
    second = text[1:2]
    return second == "'" or (second != "" and second in CSV_FORMULA_STARTS)
