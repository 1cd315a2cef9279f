"""``spotui recommend``: tracks that sound like a seed track, several tracks, or a cluster."""

from __future__ import annotations

import argparse
import contextlib

from spotui.cli import (
    Context,
    console,
    err,
    non_negative_int,
    positive_int,
    print_json,
    progress_bar,
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
    p = subparsers.add_parser(
        "recommend",
        parents=[parent],
        help="tracks that sound like a track, several tracks, or a mood cluster",
        description="Recommend tracks from your library and imported catalog that sound like "
        "the seed (distance in the audio-feature space), varied by maximal marginal relevance "
        "and at most --artist-cap tracks per artist, each with a reason. --discover ranks new "
        "tracks from ReccoBeats instead.",
    )
    seed = p.add_mutually_exclusive_group(required=True)
    seed.add_argument(
        "--track",
        nargs="+",
        metavar="ID",
        help="seed track id(s), spotify:track: URIs or open.spotify.com links; several "
        "seeds use their average sound",
    )
    seed.add_argument(
        "--cluster", type=int, metavar="ID", help="seed: every track of this mood cluster"
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
        "of their songs) are left out for 30 days. Queued tracks are left out for a day.",
    )
    s.add_argument("track_ids", nargs="+", metavar="TRACK_ID", help="ids, URIs or links")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(handler=cmd_skip)


def cmd_skip(ctx: Context) -> int:
    from spotui.discovery import SKIPPED_DAYS

    skipped = ctx.session.skip(ctx.args.track_ids)
    if ctx.json:
        print_json({"skipped": skipped})
    else:
        console().print(f"Not recommended for {SKIPPED_DAYS} days: {len(skipped)} track(s).")
    return 0


def cmd_recommend(ctx: Context) -> int:
    from spotui.seeds import Seeds

    args = ctx.args
    seeds = Seeds.cluster(args.cluster) if args.cluster is not None else Seeds.track(args.track)
    if args.discover:  # asking ReccoBeats (and maybe segmenting first) takes a moment
        shown = progress_bar(ctx, "Discovering")
    elif args.cluster is not None:
        shown = progress_bar(ctx, "Segmenting")  # the cluster's tracks may need segmenting
    else:
        shown = contextlib.nullcontext()
    with shown as progress:
        recs = ctx.session.recommend(
            seeds,
            n=args.n,
            new_only=args.new_only,
            discover=args.discover,
            diversity=args.diversity,
            artist_cap=args.artist_cap,
            progress=progress,
        )
    results, title = recs.results, recs.title
    if recs.discovery is not None:  # on stderr, so --json stays one JSON document
        err(recs.discovery.note())
    if ctx.json:
        print_json([r.as_dict() for r in results])
        return 0

    from rich.markup import escape

    con = console()
    if not results:
        con.print(
            f"{escape(title)}: nothing to recommend"
            + (
                " (no catalog tracks; import one with `spotui import --as catalog`)."
                if args.new_only
                else "."
            )
        )
        return 0
    from rich.table import Table

    table = Table(title=escape(title), title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Track", overflow="fold", ratio=1)
    table.add_column("Artist", overflow="fold", ratio=1)
    table.add_column("Score", justify="right")
    table.add_column("Why", overflow="fold", ratio=2)
    show_ids = con.width >= 120  # ids are in --json; on a narrow terminal the reason matters more
    if show_ids:
        table.add_column("Id", style="dim", no_wrap=True)
    for i, r in enumerate(results, 1):
        name = escape(r.track.name) + ("" if r.in_library else " [green](new)[/green]")
        cells = [str(i), name, escape(r.track.artist_line), f"{r.score:.3f}", escape(r.reason)]
        table.add_row(*cells, *([r.track.id] if show_ids else []))
    con.print(table)
    return 0
