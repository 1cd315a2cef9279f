"""Benchmarks, run from the repository root as ``python -m benchmarks.NAME`` (a package, so
``tests.fakes`` and ``benchmarks.segment`` import without path edits)."""
