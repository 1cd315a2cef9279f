"""``spotui order``: a mood, a playlist or some tracks in an order that flows along an energy
arc, a path from one track to another, and a playlist you own reordered in place.

A thin face over ``session.order``: argument checks and printing (the ``--json`` schema is
:class:`spotui.session.order.FlowPreview`'s)."""

from __future__ import annotations

import argparse

from spotui.cli import (
    EXIT_FAILURE,
    Context,
    out,
    positive_int,
    print_json,
    progress_bar,
    show,
    usage,
)

#: The arcs, as the solver names them (kept here so `spotui --help` needs no numpy).
ARCS = ("steady", "build", "wind-down", "peak", "wave")


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "order",
        parents=[parent],
        help="order a mood, playlist or tracks so it flows; a path between two tracks",
        description="Order tracks so the energy follows an arc (steady, build, wind-down, "
        "peak, wave) and every transition is smooth: tempo steps after folding half/double "
        "time, Camelot key moves, valence jumps. --from A --to B picks tracks that walk from "
        "A's sound to B's. --playlist ID --apply reorders a playlist you own in place (after "
        "checking it did not change on Spotify since the last sync; --dry-run shows the "
        "requests).",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--cluster", type=int, metavar="ID", help="a mood cluster")
    what.add_argument("--playlist", metavar="ID", help="a stored playlist (id, URI or link)")
    what.add_argument("--track", nargs="+", metavar="ID", help="these tracks")
    what.add_argument("--from", dest="from_id", metavar="A", help="a path from this track")
    p.add_argument("--to", dest="to_id", metavar="B", help="with --from: the path's last track")
    p.add_argument(
        "-n", type=positive_int, default=12, help="with --from: tracks in the path (default 12)"
    )
    p.add_argument(
        "--library-only",
        action="store_true",
        help="with --from: only tracks of your library (default: and the imported catalog)",
    )
    p.add_argument(
        "--arc",
        choices=ARCS,
        default="steady",
        help="the energy curve to follow (default steady)",
    )
    p.add_argument("--start", metavar="TRACK", help="begin with this track")
    p.add_argument(
        "--apply",
        action="store_true",
        help="with --playlist: reorder that playlist (one you own) on Spotify in place",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="with --apply: print the exact requests; send and write nothing",
    )
    p.add_argument(
        "--queue", action="store_true", help="add the tracks, in this order, to the play queue"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_order)


def _problem(args: argparse.Namespace) -> str | None:
    """The first option that does not fit the others, in the order a user reads them."""
    path = args.from_id is not None
    conflicts = (
        (path != (args.to_id is not None), "--from A and --to B go together: a path needs both ends."),
        (path and bool(args.start or args.arc != "steady"),
         "a path walks from A to B; --arc and --start are for ordering tracks."),
        (not path and bool(args.n != 12 or args.library_only),
         "-n and --library-only are for a path (--from A --to B)."),
        (args.apply and not args.playlist,
         "--apply reorders a playlist in place: it needs --playlist ID."),
        (args.dry_run and not args.apply, "--dry-run shows what --apply would send; add --apply."),
        (args.apply and args.queue, "--apply and --queue are two different actions; choose one."),
    )  # fmt: skip
    return next((message for broken, message in conflicts if broken), None)


def cmd_order(ctx: Context) -> int:
    args = ctx.args
    problem = _problem(args)
    if problem:
        return usage(problem)
    if args.apply:
        with progress_bar(ctx, "Reordering") as progress:
            result = ctx.session.order.reorder(
                args.playlist, args.arc, args.start, dry_run=args.dry_run, progress=progress
            )
        return show(ctx, result)
    preview = _preview(ctx)
    if ctx.json and not args.queue:
        print_json(preview.as_dict())
        return 0
    if not ctx.json:
        print_preview(preview)
    if args.queue:
        result = ctx.session.player.queue(preview.order)
        if ctx.json:
            print_json({**preview.as_dict(), "queue": result.as_dict()})
        else:
            out(result.summary())
        return 0 if result.ok else EXIT_FAILURE
    return 0


def _preview(ctx: Context):
    from spotui.session.order import OrderSource

    args = ctx.args
    if args.from_id is not None:
        return ctx.session.order.path(args.from_id, args.to_id, args.n, not args.library_only)
    if args.cluster is not None:
        source = OrderSource.cluster(args.cluster)
    elif args.playlist:
        source = OrderSource.playlist(args.playlist)
    else:
        source = OrderSource.tracks(args.track)
    with progress_bar(ctx, "Segmenting") as progress:
        return ctx.session.order.preview(source, args.arc, args.start, progress=progress)


def _num(v: float | None, fmt: str) -> str:
    return "–" if v is None else format(v, fmt)


def print_preview(preview) -> None:
    """The table, the curve against the arc and the objective's numbers."""
    from rich.table import Table
    from rich.text import Text

    from spotui.cli import cell, console

    path = preview.kind == "path"
    heading = preview.title if path else f"{preview.title} · {preview.arc}"
    table = Table(title=cell(heading), title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Track", overflow="fold", ratio=2)
    table.add_column("Artist", overflow="fold", ratio=1)
    table.add_column("BPM", justify="right")
    table.add_column("Key", no_wrap=True)
    table.add_column("Energy", justify="right")
    if not path:
        table.add_column("Arc", justify="right")
    table.add_column("Cost", justify="right")
    for s in preview.steps:
        name = cell(s.track.name)
        if not s.in_library:
            name.append(" (new)", style="green")
        key = "–" if s.camelot is None else f"{s.camelot} · {s.key}"
        row = [str(s.position), name, cell(s.track.artist_line), _num(s.tempo, ".0f"), key]
        row.append(_num(s.energy, ".2f"))
        if not path:
            row.append(_num(s.target, ".2f"))
        row.append(_num(s.transition_cost, ".2f"))
        table.add_row(*row)
    con = console()
    con.print(table)
    con.print(Text(preview.curve()))
    flow = preview.flow
    numbers = f"mean transition cost {flow.mean_transition:.2f}"
    if not path:
        numbers = f"total cost {flow.total:.1f} · fit error {flow.fit_error:.3f} · " + numbers
    con.print(Text(numbers, style="bold"))
    for note in preview.notes:
        con.print(cell(note, style="dim"))
