"""What the track table lists: the whole library, the unanalysed tracks, the map
selection, one mood cluster or one of the user's playlists.

Why a value and not the strings the cluster list used to pass around ("c3", "p:<id>"):
every reader had to parse them again (``startswith("p:")``, ``[1:].isdigit()``), and a
playlist id starting with "c" was one slip away from being read as a cluster. The string
form is kept for the edges that need text (an ``OptionList`` option id), made by
:meth:`Source.key` and read back by :meth:`Source.parse`, and nowhere else. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["all", "unanalysed", "selection", "cluster", "playlist"]


@dataclass(frozen=True, slots=True)
class Source:
    kind: Kind
    #: the cluster id (``kind == "cluster"``) or the playlist id (``"playlist"``)
    id: int | str | None = None

    @staticmethod
    def cluster(cluster_id: int) -> Source:
        return Source("cluster", cluster_id)

    @staticmethod
    def playlist(playlist_id: str) -> Source:
        return Source("playlist", playlist_id)

    @property
    def cluster_id(self) -> int | None:
        """The mood cluster listed, or None for any other source."""
        return self.id if self.kind == "cluster" and isinstance(self.id, int) else None

    @property
    def playlist_id(self) -> str | None:
        """The playlist listed, or None for any other source."""
        return self.id if self.kind == "playlist" and isinstance(self.id, str) else None

    def key(self) -> str:
        """The text form, for an option id: "all", "unanalysed", "selection", "c3", "p:<id>"."""
        if self.kind == "cluster":
            return f"c{self.id}"
        if self.kind == "playlist":
            return f"p:{self.id}"
        return self.kind

    @staticmethod
    def parse(key: str) -> Source | None:
        """The source an option id names (see :meth:`key`), or None for any other text."""
        if key.startswith("p:"):
            return Source.playlist(key[2:])
        if key.startswith("c") and key[1:].lstrip("-").isdigit():
            return Source.cluster(int(key[1:]))
        if key in ("all", "unanalysed", "selection"):
            return Source(key)  # type: ignore[arg-type]  # narrowed by the test above
        return None

    def __str__(self) -> str:
        return self.key()


ALL = Source("all")
UNANALYSED = Source("unanalysed")
SELECTION = Source("selection")
