"""The command-line face: ``spotui [--demo] [COMMAND ...]``.

Each group of subcommands lives in its own module here and exposes ``register(subparsers,
parent)``; this module only builds the parser, makes the session and maps errors to exit
codes. Handlers call :class:`spotui.session.facade.Session` (``ctx.session``) and print; no rule
lives here. No subcommand opens the TUI. Importing this package must stay cheap (no
pandas, no scikit-learn, no Textual) because it runs on every start-up.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from spotui import __version__
from spotui.config.env import Config, ConfigError
from spotui.config.env import load as load_config
from spotui.core.errors import Cancelled, UserError
from spotui.core.untrusted import inert, json_inert

if TYPE_CHECKING:  # argparse is imported where a parser is built: `spotui` alone needs none
    import argparse

#: Modules under ``spotui.cli`` that register subcommands, in help order.
COMMAND_MODULES: list[str] = [
    "library", "recommend", "segment", "order", "radio", "export", "spotify", "completion",
]  # fmt: skip

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
#: The database or a job lock is not usable now (busy, damaged, newer, no permission).
EXIT_STORE = 3
EXIT_CANCELLED = 130


@dataclass
class Context:
    """What every command handler gets: the parsed args and the session (store, clusters,
    recommendations, Spotify), whose store opens on first use."""

    args: argparse.Namespace
    config: Config
    _session: Any = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def session(self):
        """The session; its store opens on first use (the demo library is made then)."""
        if self._session is None:
            from spotui.session.facade import Session

            self._session = Session(
                self.config,
                on_notice=lambda notice: err(f"warning: {notice.message}"),
                on_wait=err,
            )
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


# Every plain line the CLI prints goes through out() or err(), and most carry names from
# outside (summaries, the doctor's display name, dry-run listings), so the rule of
# spotui.core.untrusted is applied here, once, to the whole line: a name cannot reach the
# terminal as a command whichever summary it travelled in.
def out(text: str = "") -> None:
    """Write normal output (stdout), control characters made visible (``␛``, ``�``)."""
    print(inert(text, multiline=True))


def err(text: str) -> None:
    """Write a message or error (stderr), made inert like :func:`out`."""
    print(inert(text, multiline=True), file=sys.stderr)


def print_json(data: Any) -> None:
    """``--json`` output: the exact data, with no raw control character on the terminal."""
    print(json_inert(json.dumps(data, indent=2, ensure_ascii=False)))


def usage(message: str) -> int:
    """Print a usage error (arguments that do not fit together); exit status 2."""
    err(f"error: {message}")
    return EXIT_USAGE


def show(ctx: Context, result: Any) -> int:
    """Print a core result: ``as_dict()`` as JSON with ``--json``, else its ``summary()``."""
    if ctx.json:
        print_json(result.as_dict())
    else:
        out(result.summary())
    return 0


# ---------------------------------------------------------------------- argument types
# Shared ``type=`` callables for add_argument, so every command words a bad number the same.
def _whole_number(value: str, minimum: int, requirement: str) -> int:
    import argparse

    try:
        x = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if x < minimum:
        raise argparse.ArgumentTypeError(requirement)
    return x


def positive_int(value: str) -> int:
    """argparse type: a whole number >= 1 (counts such as ``-n``)."""
    return _whole_number(value, 1, "must be at least 1")


def non_negative_int(value: str) -> int:
    """argparse type: a whole number >= 0 (caps where 0 means "none")."""
    return _whole_number(value, 0, "must be 0 or more")


def port_number(value: str) -> int:
    """argparse type: a callback port, 1024-65535."""
    import argparse

    from spotui.config.env import check_port

    try:
        return check_port(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seconds(value: str) -> float:
    """argparse type: a finite number of seconds greater than 0 (not nan, inf or -1)."""
    import argparse

    from spotui.config.env import check_seconds

    try:
        return check_seconds(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_wait_flag(parser: argparse.ArgumentParser, job: str) -> None:
    """``--wait``: one ``job`` runs at a time per library; by default a second one exits
    with status 3 naming the running one's pid, with --wait it waits for it."""
    parser.add_argument(
        "--wait",
        action="store_true",
        help=f"if another {job} is running on this library, wait for it to finish "
        "(default: say so and exit with status 3)",
    )


def console(stderr: bool = False):
    """A rich console; imported lazily so plain commands start fast.

    Markup is off: strings printed through it (table cells, titles) are shown as they are,
    so a ``[/]`` or ``[link=...]`` in a name is text, not a tag. Styling is done with
    ``rich.text.Text``, and outside strings go through :func:`cell` first.
    """
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False)


def cell(text: str, style: str = ""):
    """An outside string (a name) as a Rich ``Text``: never parsed as markup, control
    characters made visible by :func:`spotui.core.untrusted.inert`."""
    from rich.text import Text

    return Text(inert(text), style=style)


def progress_bar(ctx: Context, description: str):
    """A context manager yielding a ``progress(done, total, message)`` callback.

    Shown on stderr (so ``--json`` output stays clean) and only on a terminal.
    """
    from spotui.cli.progress_line import RichProgress

    return RichProgress(
        description,
        enabled=sys.stderr.isatty() and not ctx.json,
        console=lambda: console(stderr=True),
    )


def _parent_parser() -> argparse.ArgumentParser:
    import argparse

    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the built-in demo library (never touches your real one)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="spotui",
        description="Mood clusters, recommendations and playlists for your Spotify library. "
        "Run without a command to open the terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"spotui {__version__}")
    parser.add_argument("--demo", action="store_true", help="use the built-in demo library")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    parent = _parent_parser()
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"spotui.cli.{name}")
        module.register(subparsers, parent)
    return parser


Handler = Callable[[Context], int]


#: Command lines that only open the TUI: for these no parser is built (argparse and every
#: command module are ~12 ms of the TUI's start-up).
TUI_ARGVS: tuple[list[str], ...] = ([], ["--demo"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv in TUI_ARGVS:
        args: Any = SimpleNamespace(demo=bool(argv), handler=None)
    else:
        args = build_parser().parse_args(argv)
    try:
        config = load_config(demo=bool(getattr(args, "demo", False)))
    except ConfigError as exc:
        err(f"error: {exc}")
        return EXIT_USAGE
    ctx = Context(args=args, config=config)
    handler: Handler | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return _open_tui(ctx)
        return handler(ctx)
    except UserError as exc:  # ConfigError and StoreError included
        err(f"error: {exc}")
        return exc.exit_code
    except Cancelled:
        err("cancelled; what was finished is kept")
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        err("interrupted; what was finished is kept")
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK
    finally:
        ctx.close()


def _open_tui(ctx: Context) -> int:
    from spotui.tui.start import run_tui

    return run_tui(ctx.config)
