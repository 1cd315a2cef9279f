"""``spotui recommend``: tracks that sound like a seed track, several tracks, a cluster, a
playlist you own (to continue it), or "for you" per mood cluster."""

from __future__ import annotations

import argparse
import contextlib

from spotui.cli import (
    Context,
    console,
    err,
    non_negative_int,
    out,
    positive_int,
    print_json,
    progress_bar,
    usage,
)


def _unit_interval(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return x


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    # One argparse declaration per option, read top to bottom like the --help it makes:
    # longer than 60 lines because splitting it would only scatter the options.
    p = subparsers.add_parser(
        "recommend",
        parents=[parent],
        help="tracks like a track, several tracks, a mood cluster, a playlist, or for you",
        description="Recommend tracks from your library and imported catalog that sound like "
        "the seed (distance on the standardised audio features), varied by maximal marginal "
        "relevance and at most --artist-cap tracks per artist, each with a reason. For a "
        "playlist and --for-you, what your own playlists keep with the seeds counts too. "
        "--discover ranks new tracks from ReccoBeats instead.",
    )
    seed = p.add_mutually_exclusive_group()
    seed.add_argument(
        "--track",
        nargs="+",
        metavar="ID",
        help="seed track id(s), spotify:track: URIs or open.spotify.com links; several "
        "seeds use their average sound",
    )
    seed.add_argument(
        "--cluster",
        type=int,
        metavar="ID",
        help="seed: every track of this mood cluster (with --for-you: only this cluster)",
    )
    seed.add_argument(
        "--playlist",
        metavar="ID",
        help="continue a playlist you own: tracks for it in its own mood (id, URI or link); "
        "`spotui export --recommend --playlist ID` appends them to it",
    )
    p.add_argument(
        "--for-you",
        action="store_true",
        help="seeds: your top tracks (short, medium, long term) and recent plays, one list "
        "per mood cluster they are in",
    )
    p.add_argument("-n", type=positive_int, default=10, help="how many tracks (default 10)")
    p.add_argument(
        "--new-only",
        action="store_true",
        help="only tracks not in your library (from an imported catalog): what to queue next",
    )
    p.add_argument(
        "--discover",
        action="store_true",
        help="rank new tracks ReccoBeats proposes for the seeds (cached for a day); offline "
        "or on failure it says so and uses your library and catalog",
    )
    p.add_argument(
        "--diversity",
        type=_unit_interval,
        default=None,
        help="0 = closest matches only, 1 = as varied as possible (default 0.3)",
    )
    p.add_argument(
        "--artist-cap",
        type=non_negative_int,
        default=None,
        help="at most this many tracks per artist (default 2; 0 = no limit)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_recommend)
    s = subparsers.add_parser(
        "skip",
        parents=[parent],
        help="not these: leave tracks out of recommendations for 30 days",
        description="Remember tracks you do not want recommended; they (and other versions "
        "of their songs) are left out for 30 days. Queued tracks are left out for a day. "
        "--undo takes a skip back.",
    )
    s.add_argument("track_ids", nargs="+", metavar="TRACK_ID", help="ids, URIs or links")
    s.add_argument("--undo", action="store_true", help="take the skip back: recommend these again")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(handler=cmd_skip)


def cmd_skip(ctx: Context) -> int:
    ids = ctx.args.track_ids
    result = (
        ctx.session.recommendations.unskip(ids)
        if ctx.args.undo
        else ctx.session.recommendations.skip(ids)
    )
    if ctx.json:
        print_json(result.as_dict())
    else:
        out(result.summary())
        if result.track_ids and not ctx.args.undo:
            out(f"To take it back: spotui skip --undo {' '.join(result.track_ids)}")
    return 0


def cmd_recommend(ctx: Context) -> int:
    args = ctx.args
    problem = _seed_problem(args)
    if problem:
        return usage(problem)
    options = dict(n=args.n, new_only=args.new_only)
    if args.for_you:
        return _for_you(ctx, options)
    seeds = _seeds(args)
    with _progress_for(ctx) as progress:
        recs = ctx.session.recommendations.recommend(
            seeds,
            discover=args.discover,
            diversity=args.diversity,
            artist_cap=args.artist_cap,
            progress=progress,
            **options,
        )
    if recs.discovery is not None:  # on stderr, so --json stays one JSON document
        err(recs.discovery.note())
    if ctx.json:
        if recs.far_note:
            err(recs.far_note)
        print_json([r.as_dict() for r in recs.results])
        return 0
    _print_table(recs, args.new_only)
    return 0


def _seed_problem(args: argparse.Namespace) -> str | None:
    """--for-you is a seed of its own: it mixes with no other, and ReccoBeats needs real ones."""
    if args.for_you and (args.track or args.playlist):
        return "--for-you takes no other seed (only --cluster ID to pick one cluster)."
    if not (args.for_you or args.track or args.playlist or args.cluster is not None):
        return "say what to recommend for: --track, --cluster, --playlist or --for-you."
    if args.for_you and args.discover:
        return "--discover works with --track, --cluster or --playlist, not --for-you."
    return None


def _seeds(args: argparse.Namespace):
    from spotui.session.seeds import Seeds

    if args.cluster is not None:
        return Seeds.cluster(args.cluster)
    return Seeds.playlist(args.playlist) if args.playlist else Seeds.track(args.track)


def _progress_for(ctx: Context) -> contextlib.AbstractContextManager:
    """A progress line only where the wait is noticeable."""
    if ctx.args.discover:  # asking ReccoBeats (and maybe segmenting first) takes a moment
        return progress_bar(ctx, "Discovering")
    if ctx.args.cluster is not None:
        return progress_bar(ctx, "Segmenting")  # the cluster's tracks may need segmenting
    return contextlib.nullcontext()


def _for_you(ctx: Context, options: dict) -> int:
    with progress_bar(ctx, "Segmenting") as progress:
        groups = ctx.session.recommendations.for_you(ctx.args.cluster, progress=progress, **options)
    if ctx.json:
        print_json([_group_json(recs) for recs in groups])
        return 0
    for recs in groups:
        _print_table(recs, ctx.args.new_only)
    return 0


def _group_json(recs) -> dict:
    return {
        "cluster_id": recs.cluster.id,
        "label": recs.cluster.label,
        "title": recs.title,
        "seed_ids": list(recs.seed_ids),
        "legend": recs.legend,
        "far_note": recs.far_note,
        "results": [r.as_dict() for r in recs.results],
    }


def _print_table(recs, new_only: bool) -> None:
    from rich.text import Text

    from spotui.cli import cell

    con = console()
    if not recs.results:
        hint = (
            " (no catalog tracks; import one with `spotui import --as catalog`)."
            if new_only
            else "."
        )
        con.print(cell(recs.title) + Text(": nothing to recommend" + hint))
        return
    show_ids = con.width >= 120  # ids are in --json; on a narrow terminal the reason matters more
    con.print(_results_table(recs, show_ids))
    if recs.far_note:
        con.print(Text(recs.far_note, style="bold"))
    con.print(Text(recs.legend, style="dim"))


def _results_table(recs, show_ids: bool):
    from rich.table import Table

    from spotui.cli import cell

    results = recs.results
    table = Table(title=cell(recs.title), title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Track", overflow="fold", ratio=1)
    table.add_column("Artist", overflow="fold", ratio=1)
    # The number the list is sorted by comes first and is named as the legend names it;
    # a blended list shows its parts too (the same numbers as the TUI's score line).
    blended = results[0].blended
    for header in ["Match", "Taste", "Sound"] if blended else ["Sound"]:
        table.add_column(header, justify="right")
    table.add_column("Why", overflow="fold", ratio=2)
    if show_ids:
        table.add_column("Id", style="dim", no_wrap=True)
    for i, r in enumerate(results, 1):
        table.add_row(*_result_cells(i, r, blended, show_ids))
    return table


def _result_cells(i: int, r, blended: bool, show_ids: bool) -> list:
    from spotui.cli import cell

    name = cell(r.track.name)
    if not r.in_library:
        name.append(" (new)", style="green")
    shown = [r.score, r.taste, r.sound] if blended else [r.sound]
    return [
        str(i),
        name,
        cell(r.track.artist_line),
        *(f"{x:.2f}" for x in shown),
        cell(r.reason),
        *([cell(r.track.id)] if show_ids else []),
    ]
