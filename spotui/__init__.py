"""spotui: a terminal app for Spotify listeners."""

__version__ = "0.1.0"
