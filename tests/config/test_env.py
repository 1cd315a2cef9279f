"""Paths, overrides and the client id come from the environment and config.toml."""

from __future__ import annotations

import pytest

from spotui.config import env as config


def test_overrides(isolated_env, tmp_path, monkeypatch):
    cfg = config.load()
    assert str(cfg.data_dir) == isolated_env["SPOTUI_DATA_DIR"]
    assert cfg.db_path.name == "library.sqlite3"
    assert config.load(demo=True).db_path.name == "demo.sqlite3"
    assert cfg.token_path == tmp_path / "config" / "token.json"
    assert cfg.api_url == "https://api.spotify.com/v1"
    assert cfg.redirect_uri == "http://127.0.0.1:8888/callback"


def test_xdg_dirs(tmp_path, monkeypatch):
    for key in ("SPOTUI_DATA_DIR", "SPOTUI_CONFIG_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xc"))
    assert config.data_dir() == tmp_path / "xd" / "spotui"
    assert config.config_dir() == tmp_path / "xc" / "spotui"


def test_config_toml_and_env_precedence(isolated_env, monkeypatch, tmp_path):
    cdir = tmp_path / "config"
    cdir.mkdir()
    (cdir / "config.toml").write_text('client_id = "from-file"\n[spotify]\nredirect_port = 9999\n')
    cfg = config.load()
    assert cfg.client_id == "from-file"
    assert cfg.redirect_uri == "http://127.0.0.1:9999/callback"
    monkeypatch.setenv("SPOTUI_CLIENT_ID", "from-env")
    monkeypatch.setenv("SPOTUI_API_URL", "http://127.0.0.1:5000/v1/")
    cfg = config.load()
    assert cfg.client_id == "from-env"
    assert cfg.api_url == "http://127.0.0.1:5000/v1"


def test_missing_client_id_explains_the_fix(isolated_env):
    with pytest.raises(config.ConfigError, match="SPOTUI_CLIENT_ID"):
        config.load().require_client_id()


def test_broken_config_file(isolated_env, tmp_path):
    cdir = tmp_path / "config"
    cdir.mkdir()
    (cdir / "config.toml").write_text("client_id = = nope")
    with pytest.raises(config.ConfigError, match="cannot read config file"):
        config.load()
