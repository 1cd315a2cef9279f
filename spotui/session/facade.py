"""Session: the one object both faces call, composed of one service per concern.

Why a facade: the CLI and the TUI used to open the store, build the Spotify client,
decide which clusters the user sees and what the seeds are, each a little differently
(``spotui recommend --cluster`` re-segmented with the default k and method and overwrote
a stored ``segment --k 8 --method gmm`` result that ``spotui export`` kept). Every such
rule now lives in a service below, once; the faces only collect input and show results.

One calling style: the faces call a service by its concern, ``session.moods.segment()``,
``session.recommendations.recommend(seeds)``, ``session.player.queue(ids)``, so a line
names the room it works in. The session itself only opens and closes the store.

* ``library``: sync, feature lookups, imports, counts, the first read, playlists;
* ``moods``: the moods shown, segment and place, new tracks, why a track is where it is;
* ``recommendations``: recommendations for any seed, for you, taste, skips;
* ``discovery``: candidates from ReccoBeats;
* ``exports``: targets, playlist export, extending a playlist, files;
* ``player``: queue, devices, playback;
* ``account``: login, the client id, settings, setup checks;
* ``order``: orders that flow along an energy arc, paths between two tracks, ordered
  export targets, a playlist the user owns reordered in place;
* ``changes``: whether another program changed the library, the view shown;
* ``radio``: a mood radio that keeps the Spotify queue going (composed last, over the rest).

Nothing here prints, imports Textual or reads the terminal; long calls take
``progress(done, total, message)`` and a ``cancel()`` check. Every method may be called
from a worker thread (:mod:`spotui.session.context`).
"""

from __future__ import annotations

from collections.abc import Callable

from spotui.config.env import Config
from spotui.session.account import AccountService
from spotui.session.context import SessionContext
from spotui.session.discovery import DiscoveryService
from spotui.session.exports import ExportService
from spotui.session.library import LibraryService
from spotui.session.moods import MoodsService
from spotui.session.order import OrderService
from spotui.session.player import PlayerService
from spotui.session.radio_service import RadioService
from spotui.session.recommendations import RecommendationsService
from spotui.store import OpenNotice, Store


class Session:
    """One user's spotui: the configuration, the store and the services over them."""

    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        on_notice: Callable[[OpenNotice], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.context = context = SessionContext(
            config, store=store, on_notice=on_notice, on_wait=on_wait
        )
        self.changes = context.watch
        self.moods = MoodsService(context)
        self.library = LibraryService(context, self.moods)
        self.discovery = DiscoveryService(context)
        self.recommendations = RecommendationsService(
            context, self.moods, self.library, self.discovery
        )
        self.exports = ExportService(context, self.moods)
        self.player = PlayerService(context, self.library)
        self.account = AccountService(context)
        self.order = OrderService(context, self.moods, self.library, self.recommendations)
        self.radio = RadioService(self)

    @property
    def config(self) -> Config:
        return self.context.config

    @property
    def demo(self) -> bool:
        return self.context.demo

    @property
    def on_wait(self) -> Callable[[str], None] | None:
        return self.context.on_wait

    @on_wait.setter
    def on_wait(self, listener: Callable[[str], None] | None) -> None:
        self.context.on_wait = listener

    @property
    def notice(self) -> OpenNotice | None:
        """What the user should hear about opening the store (a broken file moved aside)."""
        main = self.context.stores.main
        return main.notice if main is not None else None

    def open(self, prepare: bool = True, check: bool | None = None) -> Session:
        """Open (create, migrate) the store now; ``prepare`` also builds the demo library.

        The TUI opens before its workers start, so a new database is migrated exactly
        once, and prepares in a worker, so generating the demo never delays the first paint.
        It passes ``check=False``: :meth:`LibraryService.snapshot` checks the file in that
        worker (when cheap), off the paint path (~3 ms per MB).
        """
        self.context.open(check)
        if prepare:
            self.context.prepare()
        return self

    def prepare(self) -> bool:
        """Generate the demo library on first use (``--demo``); True if it was made now."""
        return self.context.prepare()

    def close(self) -> None:
        self.context.stores.close()
