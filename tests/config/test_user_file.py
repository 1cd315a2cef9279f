"""config.toml settings: the [ui] and [keys] tables and the client id, edited in place."""

from __future__ import annotations

import tomllib

import pytest

from spotui.config import env as config
from spotui.config.user_file import (
    UiSettings,
    check_client_id,
    load_keys,
    load_ui,
    save_client_id,
    save_ui,
    setup_steps,
)
from spotui.core.errors import ConfigError

USER_FILE = """# my spotui settings
client_id = "0123456789abcdef0123456789abcdef"  # from the dashboard

[spotify]
redirect_port = 9000

[ui]
theme = "nord"
sort = "energy"

[keys]
"main.export" = "x"   # I like x
"""


def write(tmp_path, text: str):
    cdir = tmp_path / "config"
    cdir.mkdir(exist_ok=True)
    (cdir / "config.toml").write_text(text)
    return cdir / "config.toml"


def test_ui_and_keys_are_read(isolated_env, tmp_path):
    write(tmp_path, USER_FILE)
    cfg = config.load()
    ui, problems = load_ui(cfg, ("title", "energy"))
    assert ui == UiSettings(theme="nord", sort="energy")
    assert problems == []
    assert load_keys(cfg) == ({"main.export": "x"}, [])


def test_bad_values_are_reported_and_defaulted(isolated_env, tmp_path):
    write(
        tmp_path,
        '[ui]\nsort = "loudness"\nnew_only = "yes"\nclusters_width = 500\nbottom_height = "big"\n'
        'colour = 1\n[keys]\n"main.export" = 5\n"main.filter" = ["f", "slash"]\n',
    )
    cfg = config.load()
    ui, problems = load_ui(cfg, ("title", "energy"))
    assert ui == UiSettings(clusters_width=80)
    assert problems == [
        "[ui] colour is not a setting; ignored",
        "[ui] sort = 'loudness' is not one of title, energy; ignored",
        "[ui] new_only must be true or false, got 'yes'; ignored",
        "[ui] clusters_width = 500 is outside 16..80; using 80",
        "[ui] bottom_height must be a whole number, got 'big'; using the default",
    ]
    keymap, problems = load_keys(cfg)
    assert keymap == {"main.filter": "f,slash"}
    assert problems == ['[keys] main.export must be a key name such as "a" or "ctrl+a"']


def test_saving_ui_keeps_the_rest_of_the_file(isolated_env, tmp_path):
    path = write(tmp_path, USER_FILE)
    save_ui(config.load(), UiSettings(theme="gruvbox", sort="title", sort_descending=True))
    text = path.read_text()
    # comments and the other tables are untouched; [ui] is replaced, not duplicated
    assert "# my spotui settings" in text and "# I like x" in text
    assert text.count("[ui]") == 1
    data = tomllib.loads(text)
    assert data["ui"] == {
        "theme": "gruvbox",
        "sort": "title",
        "sort_descending": True,
        "new_only": False,
    }
    assert data["keys"] == {"main.export": "x"}
    assert data["spotify"] == {"redirect_port": 9000}
    assert config.load().client_id == "0123456789abcdef0123456789abcdef"
    assert not [p for p in path.parent.iterdir() if p.name != "config.toml"]  # no temp left


def test_saving_into_a_new_file(isolated_env, tmp_path):
    save_ui(config.load(), UiSettings(new_only=True, clusters_width=40))
    path = tmp_path / "config" / "config.toml"
    assert tomllib.loads(path.read_text()) == {
        "ui": {"sort_descending": False, "new_only": True, "clusters_width": 40}
    }


def test_a_broken_file_is_never_overwritten(isolated_env, tmp_path):
    path = write(tmp_path, "client_id = = nope\n")
    cfg = config.Config(data_dir=tmp_path / "d", config_dir=tmp_path / "config")
    with pytest.raises(ConfigError, match="cannot be read .*fix or move it"):
        save_ui(cfg, UiSettings(theme="nord"))
    assert path.read_text() == "client_id = = nope\n"


def test_broken_file_message_says_what_to_do(isolated_env, tmp_path):
    write(tmp_path, "[ui\ntheme = 1\n")
    with pytest.raises(ConfigError) as info:
        config.load()
    message = str(info.value)
    assert "config.toml: cannot read config file" in message
    assert "line 1" in message and "move the file away" in message


@pytest.mark.parametrize("args", [("--demo", "status"), ("--demo",)])  # CLI and TUI start
def test_a_broken_config_prints_one_clear_line(cli, tmp_path, args):
    cdir = tmp_path / "config"
    cdir.mkdir()
    (cdir / "config.toml").write_text("[ui]\ntheme = \n")
    proc = cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {cdir / 'config.toml'}: cannot read config file")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("0123456789abcdef0123456789ABCDEF", "0123456789abcdef0123456789abcdef"),
        ('  "0123456789abcdef0123456789abcdef"\n', "0123456789abcdef0123456789abcdef"),
    ],
)
def test_client_id_is_validated_and_stored(isolated_env, tmp_path, pasted, stored):
    path = write(tmp_path, USER_FILE.replace("0123456789abcdef0123456789abcdef", "0" * 32))
    assert save_client_id(config.load(), pasted) == stored
    assert config.load().client_id == stored
    assert "# from the dashboard" not in path.read_text()  # the line is replaced
    assert "# I like x" in path.read_text()
    assert path.read_text().count("client_id") == 1


def test_client_id_inserted_before_the_first_table(isolated_env, tmp_path):
    path = write(tmp_path, '[ui]\ntheme = "nord"\n')
    save_client_id(config.load(), "a" * 32)
    assert tomllib.loads(path.read_text()) == {"client_id": "a" * 32, "ui": {"theme": "nord"}}


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("", "Paste the Client ID"),
        ("abc", "got 3 characters"),
        ("g" * 32, "32 characters 0-9 and a-f"),
        ("0123456789abcdef0123456789abcdef0", "got 33 characters"),
    ],
)
def test_bad_client_ids(pasted, message):
    with pytest.raises(ConfigError, match=message):
        check_client_id(pasted)


def test_setup_steps_name_everything_the_dashboard_needs():
    text = "\n".join(setup_steps("http://127.0.0.1:8888/callback"))
    for needed in (
        "https://developer.spotify.com/dashboard",
        "Web API",
        "http://127.0.0.1:8888/callback",
        "Client ID",
        "Premium",
        "User Management",
    ):
        assert needed in text


def test_an_unwritable_config_dir_is_a_config_error(tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    cfg = config.Config(data_dir=tmp_path / "d", config_dir=tmp_path / "a-file" / "spotui")
    with pytest.raises(ConfigError, match="cannot write .*config.toml"):
        save_ui(cfg, UiSettings(theme="nord"))
