"""Screenshots for reviewing a screen by eye: written only when SPENDLENS_REVIEW_SHOTS names a
directory (the committed ones are test_screenshots.py's)."""

from __future__ import annotations

import os
from pathlib import Path


def review_shot(page, name: str) -> None:
    target = os.environ.get("SPENDLENS_REVIEW_SHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), animations="disabled", caret="hide")
