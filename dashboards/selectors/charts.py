"""Server-rendered SVG bar charts (no JavaScript, no third-party code): the coordinates a
template draws, for bars that may be stacked. Every chart is drawn beside a table of the
same numbers and comes with a sentence for screen readers."""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 44
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 40


@dataclass(frozen=True)
class Segment:
    series: int  # which series (its colour and key), 0-based
    name: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    x: float  # where its label is centred
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Tick:
    value: float
    label: str
    y: float


@dataclass(frozen=True)
class BarChart:
    """Bars of one or more stacked series, with a value axis from 0 to `top`."""

    width: int
    height: int
    left: int
    baseline: float
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]

    @property
    def right(self) -> int:
        return self.width - PAD_RIGHT

    @property
    def is_empty(self) -> bool:
        return not any(segment.value for bar in self.bars for segment in bar.segments)


def _nice_top(largest: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above `largest`."""
    if largest <= 0:
        return 1.0
    power = 1.0
    while power * 10 < largest:
        power *= 10
    while power > largest:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if power * step >= largest:
            return power * step
    return power * 10


def bar_chart(
    *,
    labels: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    top: float | None = None,
    tick_format: str = "{:g}",
) -> BarChart:
    """`values[i][s]` is bar i's value in series s (None draws nothing: a hidden figure);
    the series stack from the bottom in their order. `top` fixes the axis (1 for shares)."""
    totals = [sum(value or 0 for value in row) for row in values]
    axis_top = top if top is not None else _nice_top(max(totals, default=0))
    inner_width = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    baseline = HEIGHT - PAD_BOTTOM
    slot = inner_width / max(len(labels), 1)
    bar_width = max(min(slot * 0.7, 48), 2)
    bars = []
    for index, (label, row) in enumerate(zip(labels, values, strict=True)):
        centre = PAD_LEFT + slot * index + slot / 2
        bottom, segments = float(baseline), []
        for number, value in enumerate(row):
            if not value:
                continue
            height = float(value) / axis_top * inner_height
            bottom -= height
            segments.append(
                Segment(
                    series=number,
                    name=series[number],
                    value=float(value),
                    x=round(centre - bar_width / 2, 1),
                    y=round(bottom, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                )
            )
        bars.append(Bar(label=label, x=round(centre, 1), segments=tuple(segments)))
    ticks = tuple(
        Tick(
            value=axis_top * step / 4,
            label=tick_format.format(axis_top * step / 4),
            y=round(baseline - inner_height * step / 4, 1),
        )
        for step in range(5)
    )
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        left=PAD_LEFT,
        baseline=baseline,
        series=tuple(series),
        bars=tuple(bars),
        ticks=ticks,
    )
