"""The scaling the server-rendered SVG charts share (no JavaScript): ratings and "how I am
doing" both run from 0 to 3, points spread evenly left to right inside a padded box."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SCALE_TOP = 3  # both charts' values run from 0 to 3


@dataclass(frozen=True)
class ChartFrame:
    width: int
    height: int
    pad: int

    def y(self, value: int | Decimal) -> float:
        """Where a value from 0 to 3 sits, 0 at the bottom of the padded box."""
        inner = self.height - 2 * self.pad
        return self.height - self.pad - float(value) / SCALE_TOP * inner

    def xs(self, count: int) -> list[float]:
        """Evenly spread positions for `count` points; a single one in the middle."""
        inner = self.width - 2 * self.pad
        if count == 1:
            return [self.pad + inner / 2]
        step = inner / (count - 1) if count > 1 else 0
        return [self.pad + n * step for n in range(count)]

    def ticks(self) -> list[dict[str, Any]]:
        return [{"value": v, "y": self.y(v)} for v in range(SCALE_TOP + 1)]
