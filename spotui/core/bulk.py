"""Building many small objects at once: reads of whole libraries and stored runs.

A kernel module (standard library only) because the store and the analysis core both read
tens of thousands of rows into Python objects, and neither may import the other for it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc() -> Iterator[None]:
    """Build many small objects without the cyclic garbage collector running meanwhile.

    Reading 20,000 stored assignments (JSON) or feature rows allocates ~100k lists, strings
    and floats, none of them in a cycle; each allocation burst triggers collections that walk
    every object the process holds. In an app holding a library's rows that made one
    ``json.loads`` 0.09 s instead of 0.012 s (measured, benchmarks/mood_stability.py). The
    collector is switched back on afterwards (if it was on: another thread may have turned it
    off, and then it turns it back on itself).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
