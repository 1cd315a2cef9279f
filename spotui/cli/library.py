"""``spotui status`` and ``spotui import``: what is stored, and getting CSVs in."""

from __future__ import annotations

import argparse

from spotui.cli import Context, add_wait_flag, print_json, progress_bar, show
from spotui.core.text import number


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("status", parents=[parent], help="counts of what is stored locally")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_status)

    p = subparsers.add_parser(
        "import",
        parents=[parent],
        help="import a CSV (Exportify, Kaggle Spotify Tracks Dataset, or plain)",
        description="Import tracks (and audio features, when present) from a CSV file, a "
        "gzipped CSV or a zip of CSV files (exportify.net's export of all playlists). Every "
        "line is checked (ids, numbers finite and in their range); if any line is malformed "
        "nothing is imported.",
    )
    p.add_argument("path", help="CSV file (or .csv.gz, or .zip of CSVs) to import")
    p.add_argument(
        "--as",
        dest="kind",
        choices=("library", "catalog"),
        default="library",
        help="library: add to your library (default); catalog: add as a pool of candidates "
        "for recommendations without putting them in your library",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_wait_flag(p, "import")
    p.set_defaults(handler=cmd_import)


def cmd_status(ctx: Context) -> int:
    data = ctx.session.library.status()
    if ctx.json:
        print_json(data)
        return 0
    from rich.table import Table

    from spotui.cli import console

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Library tracks", number(data["library_tracks"]))
    by = ", ".join(f"{k} {number(v)}" for k, v in data["features_by_provider"].items()) or "none"
    table.add_row("With audio features", f"{number(data['with_features'])} ({by})")
    table.add_row("Saved tracks", number(data["saved_tracks"]))
    table.add_row("Playlists", number(data["playlists"]))
    table.add_row("Catalog tracks", number(data["catalog_tracks"]))
    table.add_row("Database", data["database"] + (" (demo)" if data["demo"] else ""))
    table.add_row("Schema version", str(data["schema_version"]))
    console().print(table)
    return 0


def cmd_import(ctx: Context) -> int:
    with progress_bar(ctx, "Importing") as progress:
        result = ctx.session.library.import_csv(
            ctx.args.path, kind=ctx.args.kind, progress=progress, wait=ctx.args.wait
        )
    return show(ctx, result)
