"""``spotui completion``: scripts generated from the parser, tried in a real bash."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from spotui.cli import build_parser
from spotui.cli.completion import commands

SUBCOMMANDS = [c.name for c in commands(build_parser()) if c.name]


def test_every_subcommand_is_known():
    assert {"login", "sync", "segment", "recommend", "export", "import", "completion"} <= set(
        SUBCOMMANDS
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_name_every_subcommand(cli, shell):
    proc = cli("completion", shell)
    assert proc.returncode == 0, proc.stderr
    for name in SUBCOMMANDS:
        assert name in proc.stdout.split("\n", 2)[2]  # in the script, not its header
    if shell == "fish":
        for name in SUBCOMMANDS:
            assert f"-n '__fish_use_subcommand' -a {name} -d" in proc.stdout


def complete(script: str, *words: str) -> list[str]:
    """What bash offers after ``spotui WORDS`` (the last word is the one being typed)."""
    words_arr = " ".join(f"'{w}'" for w in ("spotui", *words))
    program = (
        f"{script}\nCOMP_WORDS=({words_arr}); COMP_CWORD={len(words)}; _spotui; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    proc = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return [w for w in proc.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_options_and_choices(cli, tmp_path):
    script = cli("completion", "bash").stdout
    assert sorted(complete(script, "")) == sorted(
        [*SUBCOMMANDS, "-h", "--help", "--version", "--demo"]
    )
    assert complete(script, "ex") == ["export"]
    assert complete(script, "--demo", "seg") == ["segment"]
    assert complete(script, "segment", "--me") == ["--method"]
    assert complete(script, "segment", "--method", "") == ["kmeans", "gmm", "agglomerative"]
    assert complete(script, "export", "--format", "m") == ["m3u"]
    assert complete(script, "completion", "") == ["bash", "zsh", "fish", "-h", "--help"]
    assert complete(script, "export", "--cluster", "") == []  # a number: nothing to offer
    (tmp_path / "songs.csv").write_text("x")
    assert complete(script, "import", str(tmp_path / "so")) == [str(tmp_path / "songs.csv")]


def test_bad_shell_is_a_usage_error(cli):
    proc = cli("completion", "tcsh")
    assert proc.returncode == 2
    assert "invalid choice: 'tcsh'" in proc.stderr


def test_the_distribution_is_spotui_mood_and_the_command_spotui():
    """`spotui` on PyPI is another project; the installed distribution must not claim it."""
    from importlib.metadata import distribution

    dist = distribution("spotui-mood")
    scripts = {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
    assert scripts == {"spotui": "spotui.cli:main"}
