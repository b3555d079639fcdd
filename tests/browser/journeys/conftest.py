"""Journeys: one role's whole path through the app, in Debian's Chromium, with a
screenshot of every step saved under artifacts/journeys/<journey>/ (CI keeps the folder).

Each journey also writes steps.md there: the steps in order with the seconds since the
journey began, so a reader can see where the time goes. Nothing asserts on time.
"""

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = (
    Path(os.environ.get("JOURNEY_ARTIFACTS", Path(__file__).resolve().parents[3] / "artifacts"))
    / "journeys"
)

PHONE = {"width": 390, "height": 844}


class Journey:
    """Numbered, named screenshots of one journey."""

    def __init__(self, name: str, page) -> None:
        self.name = name
        self.page = page
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*"):
            old.unlink()
        self.count = 0
        self.started = time.monotonic()
        self.lines = [f"# {name}\n"]

    def step(self, title: str, *, page=None, full_page: bool = True) -> Path:
        """Save a screenshot of `page` (the journey's own page unless another is given)."""
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        (page or self.page).screenshot(path=str(path), full_page=full_page)
        elapsed = time.monotonic() - self.started
        self.lines.append(f"{self.count}. {title} ({elapsed:.1f} s): {path.name}")
        return path

    def finish(self) -> None:
        elapsed = time.monotonic() - self.started
        self.lines.append(f"\n{self.count} steps in {elapsed:.1f} s")
        (self.folder / "steps.md").write_text("\n".join(self.lines) + "\n")


@pytest.fixture
def journey(request, page) -> Iterator[Journey]:
    """The journey named after the test (without `test_`), on the test's page."""
    name = request.node.name.removeprefix("test_")
    walk = Journey(name, page)
    yield walk
    walk.finish()
