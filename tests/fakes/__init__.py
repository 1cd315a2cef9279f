"""Local fake servers that behave like Spotify and ReccoBeats, for tests and benchmarks."""
