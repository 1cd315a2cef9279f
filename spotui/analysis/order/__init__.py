"""Ordering a set of tracks so it flows: energy arcs, tempo and harmonic transitions, paths.

Pure: arrays and records in, records out; no store, session or faces. The package imports
nothing at its top so the TUI can take :mod:`camelot` (numpy-free, for the key column) without
loading the solver.

* :mod:`camelot` and :mod:`tempo`: the two musical facts a transition is judged on;
* :mod:`arcs`: the energy curves a listener can ask for;
* :mod:`objective`: what an order costs, and the record an order is handed out as;
* :mod:`solve`: the fast heuristic and the exact solver it is checked against;
* :mod:`path`: n tracks walking from one track's sound to another's;
* :mod:`sparkline`: the preview's energy curve against the arc, as text.
"""
