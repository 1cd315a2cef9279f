"""``spotui segment``: mood clusters of the library, as a table or JSON.

Kept free of numpy/scikit-learn at import time: the method choices come from the
numpy-free :mod:`spotui.feature_spec`.
"""

from __future__ import annotations

import argparse

from spotui.cli import Context, add_wait_flag, out, print_json, progress_bar
from spotui.feature_spec import DEFAULT_METHOD, METHODS
from spotui.text import count


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "segment",
        parents=[parent],
        help="group the library into labelled mood clusters",
        description="Cluster the library by audio features into mood groups, each with a "
        "label and the numbers behind it. The result is stored and reused until the "
        "library changes. Tracks without audio features are listed as unanalysed.",
    )
    p.add_argument(
        "--k",
        type=int,
        default=None,
        metavar="K",
        help="number of clusters (default: chosen automatically, usually 4 to 12, by "
        "separation, balance, mood purity and stability)",
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        default=DEFAULT_METHOD,
        help="clustering method (default: kmeans)",
    )
    p.add_argument(
        "--force", action="store_true", help="recompute even if the stored result is current"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_wait_flag(p, "segment")
    p.set_defaults(handler=cmd_segment)


def cmd_segment(ctx: Context) -> int:
    with progress_bar(ctx, "Segmenting") as progress:
        result = ctx.session.segment(
            ctx.args.k,
            ctx.args.method,
            force=ctx.args.force,
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
    from rich.table import Table
    from rich.text import Text

    from spotui.cli import console

    example_ids = [tid for c in result.clusters for tid in result.examples.get(c.id, [])[:3]]
    tracks = {t.id: t for t in ctx.session.tracks(example_ids)}

    n = len(result.clusters)
    table = Table(title=count(n, "mood cluster"), title_justify="left")
    table.add_column("ID", justify="right")
    table.add_column("Mood", style="bold")
    table.add_column("Tracks", justify="right")
    table.add_column("Why")
    table.add_column("Examples")
    for c in result.clusters:
        examples = []
        for tid in result.examples.get(c.id, [])[:3]:
            t = tracks.get(tid)
            if t is not None:
                examples.append(f"{t.name} - {t.artist_line}" if t.artists else t.name)
        table.add_row(
            Text(f"● {c.id}", style=c.color),
            Text(c.label, style=f"bold {c.color}"),
            str(c.size),
            "\n".join(c.reasons[:3]),
            "\n".join(examples),
        )
    con = console()
    con.print(table)
    if result.unanalysed:
        out(
            f"Unanalysed: {count(len(result.unanalysed), 'track')} "
            f"{'has' if len(result.unanalysed) == 1 else 'have'} no audio features and "
            f"{'is' if len(result.unanalysed) == 1 else 'are'} not in any cluster."
        )
    if result.note:
        out(result.note)
    how = "chosen automatically" if result.requested_k is None else "as asked"
    s = result.scores
    out(
        f"k={result.k} ({how}), method {result.method}; silhouette {_fmt(s.get('silhouette'))}, "
        f"Davies-Bouldin {_fmt(s.get('davies_bouldin'))}, NMI vs genres {_fmt(s.get('nmi'))}"
    )
    if result.reused:
        out(
            "The library has not changed since the last run, so the stored result was used "
            "(--force recomputes)."
        )
