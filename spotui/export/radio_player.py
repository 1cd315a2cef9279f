"""The radio's hands on the real player: two reads and one write, one request each.

Why not :func:`spotui.export.queue.queue_tracks`: that is the user's "queue these" action
(it lists devices first, two requests per action, and reports per track); the radio adds
one track every few minutes for hours, so each added track must cost exactly one
``POST /me/player/queue`` on the active device. The write lives here because writes to
the account live in :mod:`spotui.export`; it is sent once and never repeated (the HTTP
client resends only after 401/429, which Spotify did not act on), so a 5xx or a dropped
connection is raised to the radio, which then checks the queue instead of resending.
"""

from __future__ import annotations

from spotui.spotify.ids import track_uri
from spotui.spotify.player_reads import NowPlaying, PlayerQueue, currently_playing, player_queue


class SpotifyRadioPlayer:
    """The radio's player port over a :class:`~spotui.spotify.client.SpotifyClient`
    (its rate budget is the one every other call of the session shares)."""

    def __init__(self, client, *, owns_client: bool = False) -> None:
        self.client = client
        #: the session's radio service made the client for this radio alone
        self.owns_client = owns_client

    @property
    def requests(self) -> int:
        """Requests sent so far (what the radio's cost is measured in)."""
        return int(getattr(self.client, "request_count", 0))

    def now_playing(self) -> NowPlaying | None:
        return currently_playing(self.client)

    def queue(self) -> PlayerQueue:
        return player_queue(self.client)

    def add(self, track_id: str) -> None:
        """Queue one track on the active device (sent once; errors are raised)."""
        self.client.post("me/player/queue", params={"uri": track_uri(track_id)})

    def close(self) -> None:
        """The radio is over (the engine calls this when it stops): a client made for it
        alone is closed; a shared one is left to its owner."""
        if self.owns_client:
            self.client.close()
