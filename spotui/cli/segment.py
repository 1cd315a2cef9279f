"""``spotui segment``: mood clusters of the library, as a table or JSON.

Kept free of numpy/scikit-learn at import time: the method choices come from the
numpy-free :mod:`spotui.core.feature_spec`.
"""

from __future__ import annotations

import argparse

from spotui.cli import Context, add_wait_flag, err, out, print_json, progress_bar
from spotui.core.feature_spec import DEFAULT_METHOD, METHODS
from spotui.core.text import count


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "segment",
        parents=[parent],
        help="group the library into labelled mood clusters",
        description="Group the library by audio features into moods, each with a label and "
        "the numbers behind it. The moods are kept: after a sync or import, new tracks join "
        "the nearest mood and the others stay where they are. They are made again only when "
        "you ask (--refit, --k, --method) or when they no longer describe the library (it "
        "grew or shrank by 30%%, many new tracks sound unlike every mood, a mood emptied or "
        "holds over half the library: see [moods] in the README). Tracks that cannot be "
        "placed (no energy or valence) are listed as unanalysed.",
    )
    p.add_argument(
        "--k",
        type=_k_value,
        default=None,
        metavar="K",
        help="number of moods, which then stays chosen through later syncs; 'auto' goes back "
        "to choosing it (by separation, balance, mood purity and stability, usually 4 to 12)",
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        default=None,
        help=f"clustering method (default: the moods' current one, at first {DEFAULT_METHOD})",
    )
    p.add_argument("--refit", action="store_true", help="make the moods again now")
    p.add_argument("--force", action="store_true", help=argparse.SUPPRESS)  # old name of --refit
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_wait_flag(p, "segment")
    p.set_defaults(handler=cmd_segment)


def _k_value(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', got {text!r}") from None


def cmd_segment(ctx: Context) -> int:
    for problem in ctx.session.moods.settings()[1]:
        err(f"config.toml: {problem}")
    with progress_bar(ctx, "Segmenting") as progress:
        result = ctx.session.moods.segment(
            ctx.args.k,
            ctx.args.method,
            refit=ctx.args.refit or ctx.args.force,
            progress=progress,
            wait=ctx.args.wait,
        )
    if ctx.json:
        print_json(result.to_json())
        return 0
    _print_table(ctx, result)
    return 0


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _print_table(ctx: Context, result) -> None:
    from spotui.cli import console

    example_ids = [tid for c in result.clusters for tid in result.examples.get(c.id, [])[:3]]
    tracks = {t.id: t for t in ctx.session.library.tracks(example_ids)}
    console().print(_clusters_table(result, tracks))
    _print_notes(result)


def _clusters_table(result, tracks: dict):
    from rich.table import Table
    from rich.text import Text

    from spotui.cli import cell

    n = len(result.clusters)
    table = Table(title=count(n, "mood cluster"), title_justify="left")
    table.add_column("ID", justify="right")
    table.add_column("Mood", style="bold")
    table.add_column("Tracks", justify="right")
    table.add_column("Why")
    table.add_column("Examples")
    for c in result.clusters:
        examples = _examples(result.examples.get(c.id, [])[:3], tracks)
        lines = Text("\n")  # names are cells, never markup: a "[/]" in a title is text
        table.add_row(
            Text(f"● {c.id}", style=c.color),
            cell(c.label, style=f"bold {c.color}"),
            str(c.size),
            lines.join(map(cell, c.reasons[:3])),
            lines.join(map(cell, examples)),
        )
    return table


def _examples(track_ids: list[str], tracks: dict) -> list[str]:
    """Tracks since gone from the library are left out rather than shown as bare ids."""
    found = (tracks[tid] for tid in track_ids if tid in tracks)
    return [f"{t.name} - {t.artist_line}" if t.artists else t.name for t in found]


def _print_notes(result) -> None:
    """What the table cannot say: the unanalysed, changes since last time, how k was chosen."""
    if result.unanalysed:
        out(f"Unanalysed: {result.unanalysed_line()}")
    if result.note:
        out(result.note)
    for line in result.change_lines():
        out(line)
    how = "chosen automatically" if result.requested_k is None else "chosen by you"
    s = result.scores
    out(
        f"k={result.k} ({how}), method {result.method}; silhouette {_fmt(s.get('silhouette'))}, "
        f"Davies-Bouldin {_fmt(s.get('davies_bouldin'))}, NMI vs genres {_fmt(s.get('nmi'))}"
    )
    if result.reused:
        out(
            "The library has not changed since the last run, so the stored moods were used "
            "(--refit makes them again)."
        )
