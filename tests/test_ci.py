"""CI runs the README's test command, verbatim: the two must not drift apart."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Run the tests .*?```sh\n(.*?)\n```", readme, re.S)
    assert block, "the README's 'Run the tests' block is gone"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    after = ci.split("# --- the README's test command, verbatim: ---\n", 1)
    assert len(after) == 2, ".ci/run lost its marker line"
    assert after[1].strip() == block.group(1).strip()
    assert "lint-imports" in block.group(1) and "pytest -n" in block.group(1)
