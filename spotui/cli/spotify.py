"""``spotui login | logout | sync | features | doctor``: the Spotify connection."""

from __future__ import annotations

import argparse
import dataclasses

from spotui.cli import (
    Context,
    add_wait_flag,
    err,
    out,
    port_number,
    positive_int,
    print_json,
    progress_bar,
    seconds,
    show,
)


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    _register_login(subparsers, parent)
    p = subparsers.add_parser(
        "logout", parents=[parent], help="forget the Spotify login (the library is kept)"
    )
    p.set_defaults(handler=cmd_logout)
    _register_sync(subparsers, parent)


def _register_login(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "login",
        parents=[parent],
        help="log in to Spotify (opens your browser)",
        description="Log in with Spotify (Authorization Code with PKCE; no client secret). "
        "A one-off server on 127.0.0.1 receives the answer from the browser.",
    )
    p.add_argument(
        "--port",
        type=port_number,
        help="callback port, 1024-65535 (default 8888 or SPOTUI_REDIRECT_PORT)",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="only print the login URL, do not open a browser"
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=300.0,
        help="seconds to wait for the browser (default 300)",
    )
    p.add_argument(
        "--client-id",
        metavar="ID",
        help="the Client ID of your Spotify app; stored in config.toml for next time",
    )
    p.set_defaults(handler=cmd_login)


def _register_sync(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "sync",
        parents=[parent],
        help="sync your Spotify library and look up audio features",
        description="Sync liked songs, your playlists (tracks of those you own or collaborate "
        "on), top tracks and recent plays. Incremental and resumable: run it again after an "
        "interruption and it continues.",
    )
    p.add_argument("--json", action="store_true", help="print counts as JSON")
    p.add_argument(
        "--no-features", action="store_true", help="skip the audio-feature lookup afterwards"
    )
    p.add_argument("--workers", type=positive_int, default=6, help="parallel requests (default 6)")
    add_wait_flag(p, "sync")
    p.set_defaults(handler=cmd_sync)

    p = subparsers.add_parser(
        "features",
        parents=[parent],
        help="look up audio features for tracks that have none",
        description="Ask the feature providers (Spotify if your app may, then ReccoBeats) "
        "about library tracks without audio features.",
    )
    p.add_argument(
        "--retry", action="store_true", help="also ask again about tracks a provider did not know"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_wait_flag(p, "sync or feature lookup")
    p.set_defaults(handler=cmd_features)

    p = subparsers.add_parser(
        "doctor", parents=[parent], help="check the Spotify setup and say how to fix problems"
    )
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(handler=cmd_doctor)


def print_setup_steps(ctx: Context, redirect_uri: str) -> None:
    """The dashboard steps, the same text the TUI's setup screen shows."""
    from spotui.config.user_file import setup_steps

    err("spotui logs in through your own Spotify app. One-time setup:\n")
    for i, step in enumerate(setup_steps(redirect_uri), 1):
        err(f"  {i}. {step}")
    err(
        "\nThen run `spotui login --client-id <Client ID>` (stored in "
        f"{ctx.config.config_path}), or set SPOTUI_CLIENT_ID."
    )


def cmd_login(ctx: Context) -> int:
    config = ctx.config
    if ctx.args.port:
        config = dataclasses.replace(config, redirect_port=ctx.args.port)
    if ctx.args.client_id:
        ctx.session.account.set_client_id(ctx.args.client_id)
        out(f"Client ID stored in {config.config_path}.")
    elif not config.client_id and not ctx.config.demo:
        print_setup_steps(ctx, config.redirect_uri)
        return 2

    def announce(url: str) -> None:
        err(
            "Log in to Spotify in your browser. If no browser opens, open this URL yourself:\n\n"
            f"  {url}\n\nWaiting for the answer on {config.redirect_uri} "
            f"(up to {int(ctx.args.timeout)} s; Ctrl+C to stop)..."
        )

    info = ctx.session.account.login(
        announce=announce,
        open_browser=not ctx.args.no_browser,
        timeout=ctx.args.timeout,
        port=ctx.args.port,
    )
    out(f"Logged in. Token stored at {info['token_path']} (readable only by you).")
    if info["missing_scopes"]:
        err("warning: Spotify did not grant: " + ", ".join(info["missing_scopes"]))
    out("Next: `spotui sync` to fetch your library.")
    return 0


def cmd_logout(ctx: Context) -> int:
    if ctx.session.account.logout():
        out(f"Logged out: removed {ctx.config.token_path}. Your synced library is kept.")
    else:
        out("You were not logged in. Your synced library (if any) is kept.")
    out("To revoke spotui's access entirely, remove it at https://www.spotify.com/account/apps/")
    return 0


def cmd_sync(ctx: Context) -> int:
    with progress_bar(ctx, "Syncing") as progress:
        result = ctx.session.library.sync(
            progress,
            workers=ctx.args.workers,
            features=not ctx.args.no_features,
            wait=ctx.args.wait,
        )
    return show(ctx, result)


def cmd_features(ctx: Context) -> int:
    with progress_bar(ctx, "Audio features") as progress:
        result = ctx.session.library.lookup_features(
            retry=ctx.args.retry, progress=progress, wait=ctx.args.wait
        )
    return show(ctx, result)


def cmd_doctor(ctx: Context) -> int:
    checks = ctx.session.account.doctor()
    healthy = all(c.ok for c in checks)
    if ctx.json:
        print_json({"ok": healthy, "checks": [c.as_dict() for c in checks]})
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            line = f"{c.status.ljust(4)}  {c.name.ljust(width)}  {c.detail}"
            if not c.ok and c.fix:
                line += f"\n      {' ' * width}  -> {c.fix}"
            out(line)
    return 0 if healthy else 1
