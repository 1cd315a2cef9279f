"""Where the tests find the repository, their fixture files and the real sample.

One place, so a test file can move into the tree that mirrors ``spotui/`` without
counting ``parents[N]``."""

from pathlib import Path

#: The repository's root (pyproject.toml, README.md, spotui/).
REPO = Path(__file__).resolve().parent.parent
#: Small CSV fixtures (Exportify, Kaggle and plain layouts).
DATA = REPO / "tests" / "data"
#: The real sample of Spotify tracks beside the repository (../shared/data), not packaged.
REAL = REPO.parent / "shared" / "data"
