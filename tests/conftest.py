"""Shared fixtures: isolated data/config dirs, an empty store, a demo store, the CLI, and a
fake Spotify with a logged-in config and client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from spotui.config.env import Config
from spotui.sources import demo
from spotui.spotify.client import SpotifyClient
from spotui.store import Store
from tests.fakes import fake_config
from tests.fakes.spotify import FakeSpotify

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def isolated_env(tmp_path, monkeypatch) -> dict[str, str]:
    """Point spotui at temporary data and config dirs (and never at the real Spotify)."""
    env = {
        "SPOTUI_DATA_DIR": str(tmp_path / "data"),
        "SPOTUI_CONFIG_DIR": str(tmp_path / "config"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in (
        "SPOTUI_CLIENT_ID",
        "SPOTUI_API_URL",
        "SPOTUI_ACCOUNTS_URL",
        "SPOTUI_RECCOBEATS_URL",
    ):
        monkeypatch.delenv(key, raising=False)
    return env


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store.open(tmp_path / "test.sqlite3")
    yield s
    s.close()


def _made_once(tmp_path_factory, name: str, make) -> Path:
    """``name`` made by ``make(path)`` once for the whole run, shared by every xdist worker.

    Why: each worker is its own process with its own session fixtures, so a library made per
    worker (segmenting the demo takes seconds) was made four times in CI. The first worker
    to get the lock makes it in the directory all workers share; the others wait and copy
    nothing (the file is only read, copied by the fixtures below)."""
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's directory, above each worker's own
    path = shared / "made-once" / name
    path.parent.mkdir(exist_ok=True)
    with open(path.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            part = path.with_name(f"{name}.part")
            make(part)
            part.rename(path)
    return path


def _make_demo(path: Path) -> None:
    s = Store.open(path)
    demo.ensure_demo(s)
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()


@pytest.fixture(scope="session")
def _demo_db_file(tmp_path_factory) -> Path:
    return _made_once(tmp_path_factory, "demo.sqlite3", _make_demo)


@pytest.fixture
def demo_store(_demo_db_file, tmp_path) -> Store:
    """A private copy of the demo library (generated once per test session)."""
    target = tmp_path / "demo.sqlite3"
    shutil.copy(_demo_db_file, target)
    s = Store.open(target)
    yield s
    s.close()


@pytest.fixture
def demo_data_dir(_demo_db_file, tmp_path) -> Path:
    """A data dir that already holds the demo library, for ``--demo`` subprocess tests."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(_demo_db_file, data / "demo.sqlite3")
    return data


@pytest.fixture
def segmented_data_dir(segmented_demo, tmp_path) -> Path:
    """A data dir holding the demo library with its moods stored: ``--demo`` subprocess tests
    that need moods but do not test making them skip a segmentation per process."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(segmented_demo, data / "demo.sqlite3")
    return data


def run_cli(
    *args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``python -m spotui ARGS`` as a user would, with an isolated environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTUI_")}
    full_env.update(env or {})
    full_env.setdefault("COLUMNS", "120")
    return subprocess.run(
        [sys.executable, "-m", "spotui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture
def cli(tmp_path):
    """``cli(*args)`` runs spotui in a subprocess with tmp data/config dirs."""
    base = {
        "SPOTUI_DATA_DIR": str(tmp_path / "data"),
        "SPOTUI_CONFIG_DIR": str(tmp_path / "config"),
    }

    def _run(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
        return run_cli(*args, env={**base, **(env or {})}, **kw)

    _run.env = base
    return _run


# ---------------------------------------------------------------------- fake Spotify
# Shared by the network tests (client, sync, auth, queue, export): a running fake Spotify,
# a Config pointed at it with a valid login, and a client with fast retries. A test module
# that needs the fake pre-filled overrides ``fake`` and asks for the shared one by name.
@pytest.fixture
def fake() -> Iterator[FakeSpotify]:
    """A running fake Spotify with no tracks yet."""
    with FakeSpotify() as f:
        yield f


@pytest.fixture
def config(tmp_path, fake) -> Config:
    """A Config whose dirs are under ``tmp_path`` and whose URLs point at ``fake``, logged in."""
    cfg = fake_config(tmp_path, fake)
    fake.write_token(cfg.token_path)
    return cfg


@pytest.fixture
def client(config) -> Iterator[SpotifyClient]:
    """A SpotifyClient for ``config`` with a short retry backoff (tests inject 429/5xx)."""
    c = SpotifyClient(config, backoff=0.01)
    yield c
    c.close()


@pytest.fixture(scope="session")
def segmented_demo(_demo_db_file, tmp_path_factory) -> Path:
    """The demo library with its default segmentation stored (so the TUI opens on it)."""
    from spotui.session.mood_store import segment

    def make(path: Path) -> None:
        shutil.copy(_demo_db_file, path)
        with Store.open(path) as s:
            segment(s)
            s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    return _made_once(tmp_path_factory, "segmented-demo.sqlite3", make)


def app_on(db: Path, tmp_path: Path):
    """A demo-mode SpotuiApp on a private copy of the database file ``db`` (call with the
    ``isolated_env`` fixture active, so the data dir is ``tmp_path / "data"``)."""
    from spotui.config.env import load as load_config
    from spotui.tui.app import SpotuiApp

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(db, data / "demo.sqlite3")
    return SpotuiApp(load_config(demo=True))


def open_copy(db: Path, where: Path) -> Store:
    """A Store on a private copy of the database file ``db`` (made once per module, say)."""
    path = where / db.name
    shutil.copy(db, path)
    return Store.open(path)


@pytest.fixture
def demo_app(segmented_demo, isolated_env, tmp_path):
    """A SpotuiApp on a private copy of the segmented demo library."""
    return app_on(segmented_demo, tmp_path)
