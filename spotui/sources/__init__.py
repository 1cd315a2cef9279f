"""Where tracks and audio features come from, other than a Spotify library sync:
CSV files (:mod:`~spotui.sources.csv_import`), the built-in demo library
(:mod:`~spotui.sources.demo`) and the feature-provider chain that fills in audio
features (:mod:`~spotui.sources.feature_providers`: Spotify, then ReccoBeats, then CSV).
Everything here writes into the store; nothing here analyses."""
