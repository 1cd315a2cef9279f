"""Regenerate screenshots/*.svg from the real app on the demo library.

    python scripts/screenshots.py            # every screenshot
    python scripts/screenshots.py order      # only the ones named

Runs spotui headless (Textual's Pilot) at 120x40 on a fresh demo library in a temporary
data dir, presses the same keys a user would, and saves each screen as SVG.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "screenshots"

#: name -> keys pressed after the library is shown.
SCENES: dict[str, tuple[str, ...]] = {
    "main": ("down", "down", "down"),
    "recommendations": ("shift+tab", "down", "down", "down"),
    "map": ("m", "space", *["shift+right"] * 3, *["shift+down"] * 2, "space"),
    "help": ("question_mark",),
    "why": ("enter", "j", "enter"),
    "discovery": ("down", "down", "down", "D"),
    "order": ("shift+tab", "end", "o", "2"),
}


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(600):
        await pilot.pause(0.05)
        if app.library_shown.is_set() and app.result is not None:
            break
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)


async def shoot(name: str, keys: tuple[str, ...]) -> Path:
    from spotui.config.env import load
    from spotui.tui.app import SpotuiApp

    app = SpotuiApp(load(demo=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.clear_notifications()
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        await pilot.pause(0.8)  # discovery waits for the cursor to rest first
        await settle(pilot)
        app.clear_notifications()
        await pilot.pause()
        return Path(app.save_screenshot(filename=f"{name}.svg", path=str(OUT)))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPOTUI_DATA_DIR"] = tmp
        os.environ["SPOTUI_CONFIG_DIR"] = tmp
        sys.path.insert(0, str(REPO))
        wanted = sys.argv[1:] or list(SCENES)
        unknown = sorted(set(wanted) - set(SCENES))
        if unknown:
            print(f"unknown screenshots: {', '.join(unknown)} (known: {', '.join(SCENES)})")
            return 2
        for name in wanted:
            keys = SCENES[name]
            path = asyncio.run(shoot(name, keys))
            print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
