"""Local fake servers that behave like Spotify and ReccoBeats, for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

from spotui.config.env import Config


def fake_config(
    tmp_path: Path, spotify=None, reccobeats=None, *, redirect_port: int = 8888
) -> Config:
    """A Config whose dirs live under ``tmp_path`` and whose URLs point at the fakes."""
    kw: dict = {}
    if spotify is not None:
        kw.update(
            client_id=spotify.client_id, api_url=spotify.api_url, accounts_url=spotify.accounts_url
        )
    if reccobeats is not None:
        kw["reccobeats_url"] = reccobeats.url
    return Config(
        data_dir=tmp_path / "data",
        config_dir=tmp_path / "config",
        redirect_port=redirect_port,
        **kw,
    )
