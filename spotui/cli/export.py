"""``spotui queue`` and ``spotui export``: the two commands that write to Spotify.

Thin faces over :class:`spotui.session.facade.Session`: argument checks and printing results.
The session builds the client (none in demo mode or for ``--dry-run`` and file exports,
which need no account) and names what is exported.
"""

from __future__ import annotations

import argparse

from spotui.cli import (
    EXIT_FAILURE,
    EXIT_USAGE,
    Context,
    err,
    out,
    positive_int,
    print_json,
    progress_bar,
    show,
)
from spotui.cli.order import ARCS
from spotui.core.text import count


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "queue",
        parents=[parent],
        help="add tracks to your Spotify playback queue (needs Premium)",
        description="Add tracks to the queue of the Spotify device that is playing, in the "
        "order given, each exactly once (a request that fails is never repeated, so nothing "
        "is queued twice). With --demo the action is written to the demo outbox instead.",
    )
    p.add_argument(
        "track_ids",
        nargs="+",
        metavar="TRACK_ID",
        help="track ids, spotify:track: URIs or open.spotify.com links",
    )
    p.add_argument(
        "--device",
        metavar="NAME|ID",
        help="move playback to this device first (when it is not already playing)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=cmd_queue)
    _register_export(subparsers, parent)


def _register_export(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "export",
        parents=[parent],
        help="export a mood cluster or recommendations as a playlist or a file",
        description="Export a mood cluster (or every cluster, or a recommendation list) as a "
        "PRIVATE Spotify playlist named after its mood. Exporting the same cluster again "
        "replaces that playlist's tracks instead of making a second playlist. With --format "
        "and --out, write a CSV (Exportify layout, re-importable with `spotui import`), M3U "
        "or JSON file instead; that needs no Spotify account.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--cluster", type=int, metavar="ID", help="the mood cluster to export")
    what.add_argument(
        "--all", action="store_true", help="every mood cluster, one playlist/file each"
    )
    what.add_argument(
        "--recommend",
        action="store_true",
        help="export recommendations for --track ID... (or --seed-cluster ID, or --playlist "
        "ID: appended to that playlist)",
    )
    p.add_argument("--track", nargs="+", metavar="ID", help="seed track(s) for --recommend")
    p.add_argument("--seed-cluster", type=int, metavar="ID", help="seed cluster for --recommend")
    p.add_argument(
        "--playlist",
        metavar="ID",
        help="with --recommend: continue this playlist (one you own) and ADD the "
        "recommendations to its end; --dry-run shows the requests",
    )
    p.add_argument(
        "-n", type=positive_int, default=30, help="how many recommendations (default 30)"
    )
    p.add_argument(
        "--new-only",
        action="store_true",
        help="recommendations only from outside your library (imported catalog)",
    )
    p.add_argument("--name", help="playlist name (default: “spotui · <mood label>”)")
    p.add_argument(
        "--public", action="store_true", help="make the playlist public (default: private)"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be created and added; send and write nothing",
    )
    p.add_argument(
        "--format",
        choices=("csv", "m3u", "json"),
        help="the file's format when its name does not say (needs --out)",
    )
    p.add_argument(
        "--out",
        metavar="PATH",
        help="write a file instead of a Spotify playlist; its ending (.csv, .m3u, .m3u8, "
        ".json) sets the format unless --format is given (a directory with --all)",
    )
    p.add_argument(
        "--order",
        choices=ARCS,
        metavar="ARC",
        help="export the tracks in an order that flows along this energy arc (steady, build, "
        "wind-down, peak, wave; see `spotui order`)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=cmd_export)


# ---------------------------------------------------------------------- queue
def cmd_queue(ctx: Context) -> int:
    from spotui.export import NoActiveDeviceError

    args = ctx.args
    try:
        result = ctx.session.player.queue(args.track_ids, device=args.device)
    except NoActiveDeviceError as exc:
        if ctx.json:
            print_json(
                {
                    "error": "no_active_device",
                    "message": str(exc),
                    "devices": [
                        {"id": d.id, "name": d.name, "type": d.type, "is_active": d.is_active}
                        for d in exc.devices
                    ],
                }
            )
        else:
            err(f"error: {exc}")
            if exc.devices:
                err("Run again with --device NAME (or ID) to move playback there and queue.")
        return EXIT_USAGE
    if ctx.json:
        print_json(result.as_dict())
    else:
        out(result.summary())
    return 0 if result.ok else EXIT_FAILURE


# ---------------------------------------------------------------------- export
def _usage(message: str) -> int:
    err(f"error: {message}")
    return EXIT_USAGE


def cmd_export(ctx: Context) -> int:
    args = ctx.args
    problem = _seed_problem(args)
    if problem:
        return _usage(problem)
    if args.playlist and not (args.format or args.out):
        if args.name or args.public:
            return _usage("--name and --public are for new playlists; --playlist adds to yours.")
        if args.order:
            return _usage(
                "--order orders what is exported; to reorder a playlist of yours in place run "
                "`spotui order --playlist ID --arc ARC --apply`."
            )
        return _append(ctx)
    problem = _target_problem(args)
    if problem:
        return _usage(problem)
    fmt = _file_format(ctx)
    if args.recommend:
        target = _recommendations(ctx, file=bool(fmt))
        return _write_file(ctx, target, fmt) if fmt else _export_playlists(ctx, [target])
    return _export_clusters(ctx, fmt)


def _seed_problem(args: argparse.Namespace) -> str | None:
    """Seeds belong to --recommend alone, and it takes exactly one kind of them."""
    seeds = [bool(args.track), args.seed_cluster is not None, bool(args.playlist)]
    if args.recommend and sum(seeds) != 1:
        return (
            "--recommend needs seeds of one kind: --track ID [ID ...], --seed-cluster ID or "
            "--playlist ID."
        )
    if not args.recommend and any(seeds):
        return "--track, --seed-cluster and --playlist are seeds for --recommend."
    return None


def _target_problem(args: argparse.Namespace) -> str | None:
    """Options that contradict the target (several playlists, or a file or directory)."""
    if args.all and args.name:
        return "--name names one playlist; it cannot be used with --all."
    if args.format and not args.out:
        return "--format needs --out PATH (the file to write)."
    if args.out and args.all and not args.format:
        return "with --all, --out is a directory; add --format csv|m3u|json."
    return None


def _file_format(ctx: Context) -> str | None:
    """A file: --format if given, else the name's ending (the core's rule); None for Spotify."""
    args = ctx.args
    if not args.out:
        return None
    return args.format if args.all else ctx.session.exports.file_format(args.out, args.format)


def _export_clusters(ctx: Context, fmt: str | None) -> int:
    args = ctx.args
    # Segment (or read the stored clusters) before any progress line of the export itself:
    # rich allows one live display at a time.
    with progress_bar(ctx, "Segmenting") as progress:
        result = ctx.session.moods.clusters(progress=progress)
    if fmt and args.all:
        return _write_cluster_files(ctx, result, fmt)
    ids = [c.id for c in result.clusters] if args.all else [args.cluster]
    targets = [_ordered(ctx, ctx.session.exports.cluster_target(cid, args.name)) for cid in ids]
    return _write_file(ctx, targets[0], fmt) if fmt else _export_playlists(ctx, targets)


def _recommend(ctx: Context):
    from spotui.session.seeds import Seeds

    args = ctx.args
    if args.seed_cluster is not None:
        seeds = Seeds.cluster(args.seed_cluster)
    elif args.playlist:
        seeds = Seeds.playlist(args.playlist)
    else:
        seeds = Seeds.track(args.track)
    with progress_bar(ctx, "Segmenting") as progress:
        return ctx.session.recommendations.recommend(
            seeds, n=args.n, new_only=args.new_only, progress=progress
        )


def _recommendations(ctx: Context, file: bool):
    recs = _recommend(ctx)
    return _ordered(ctx, ctx.session.exports.recommendations_target(recs, ctx.args.name, file=file))


def _ordered(ctx: Context, target):
    """The target in the order ``--order`` asked for (the session orders it)."""
    arc = ctx.args.order
    return target if arc is None else ctx.session.order.ordered(target, arc)


def _append(ctx: Context) -> int:
    """``export --recommend --playlist ID``: add the playlist's recommendations to its end."""
    recs = _recommend(ctx)
    with progress_bar(ctx, "Adding") as progress:
        result = ctx.session.exports.extend_playlist(
            recs, dry_run=ctx.args.dry_run, progress=progress
        )
    show(ctx, result)
    return 0


def _write_file(ctx: Context, target, fmt: str) -> int:
    args = ctx.args
    if args.dry_run:
        out(
            f"would write {count(len(target.track_ids), 'track')} to {args.out} ({fmt}); dry "
            "run, nothing written"
        )
        return 0
    result = ctx.session.exports.write_file(target, fmt, args.out)
    return show(ctx, result)


def _write_cluster_files(ctx: Context, result, fmt: str) -> int:
    args = ctx.args
    if args.dry_run:
        for c in result.clusters:
            out(
                f"would write {count(len(result.tracks_in(c.id)), 'track')} of cluster {c.id} "
                f"“{c.label}” to {args.out}"
            )
        return 0
    arc = args.order
    arrange = None if arc is None else (lambda t: ctx.session.order.ordered(t, arc))
    files = ctx.session.exports.write_cluster_files(fmt, args.out, arrange=arrange)
    if ctx.json:
        print_json([f.as_dict() for f in files])
    else:
        for f in files:
            out(f.summary())
    return 0


def _export_playlists(ctx: Context, targets) -> int:
    args = ctx.args
    results = []
    for target in targets:
        label = "Exporting" if args.recommend else f"Exporting {target.key.replace(':', ' ')}"
        with progress_bar(ctx, label) as progress:
            result = ctx.session.exports.export(
                target, public=args.public, dry_run=args.dry_run, progress=progress
            )
        results.append(result)
        if not ctx.json:  # printed as each finishes, so a later failure keeps these
            out(result.summary())
    if ctx.json:
        data = [r.as_dict() for r in results]
        print_json(data if args.all else data[0])
    return 0
