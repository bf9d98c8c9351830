"""The results table: one row per measured ratio, with its target and a verdict."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
}


@dataclass(frozen=True, slots=True)
class Row:
    """One benchmark line: what was measured, on which database, and how it compares."""

    benchmark: str
    database: str
    measured: str  # the raw values behind the ratio, in human units
    ratio: float
    op: str  # ">=" or "<="
    target: float

    @property
    def passed(self) -> bool:
        return _COMPARE[self.op](self.ratio, self.target)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


def markdown_table(rows: Sequence[Row]) -> str:
    """The rows as a GitHub markdown table."""
    lines = [
        "| benchmark | db | measured | ratio | target | result |",
        "|---|---|---|---:|---:|---|",
    ]
    lines.extend(
        f"| {r.benchmark} | {r.database} | {r.measured} | {r.ratio:.2f} | "
        f"{r.op} {r.target:g} | {r.verdict} |"
        for r in rows
    )
    return "\n".join(lines)


def seconds(value: float) -> str:
    """A duration with a sensible unit."""
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.2f} s"


def mebibytes(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"
