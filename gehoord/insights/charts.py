"""Charts drawn on the server as SVG: no script, no style attribute, nothing fetched.

Each chart carries its title (`role="img"` with an aria-label and a <title>) and states every
number beside its bar, so nothing depends on colour: a second series is hatched as well as
lighter, and a legend names both. The page puts the numbers in a table beside each chart; the
monthly mail turns the same SVG into PNG (`png`), since mail clients do not show inline SVG.
Coordinates are written with a decimal point whatever the language (no localised formatting).
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

import typst
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 210
BAR_AREA = 250  # leaves room for the longest direct label after a full-length bar
ROW = 26
INK = "#1f2933"
FILL = "#3b5b8c"
SECOND_FILL = "#c9d6ea"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the number as shown beside the bar


@dataclass(frozen=True)
class StackedBar:
    label: str
    first: float  # e.g. deadlines met: solid
    second: float  # e.g. missed: hatched
    text: str


@dataclass(frozen=True)
class Chart:
    name: str  # unique on its page: ids inside the SVG derive from it
    title: str
    svg: SafeString


def _n(value: float) -> str:
    return f"{value:.1f}"


def _open(name: str, title: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" width="{WIDTH}" '
        f'height="{_n(height)}" role="img" aria-labelledby="{name}-title" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="13" class="chart">',
        f'<title id="{name}-title">{escape(title)}</title>',
    ]


def _empty(name: str, title: str, nothing: str) -> Chart:
    parts = _open(name, title, 40)
    parts.append(f'<text x="0" y="24" fill="{INK}">{escape(nothing)}</text></svg>')
    return Chart(name, title, mark_safe("".join(parts)))


def bar_chart(name: str, title: str, bars: list[Bar], *, nothing: str) -> Chart:
    """Horizontal bars, one per row, the label on the left and the number at the bar's end."""
    if not bars or not any(bar.value for bar in bars):
        return _empty(name, title, nothing)
    top = max(bar.value for bar in bars)
    height = len(bars) * ROW + 8
    parts = _open(name, title, height)
    for index, bar in enumerate(bars):
        y = index * ROW + 4
        length = BAR_AREA * bar.value / top if top else 0
        parts.append(_row_label(bar.label, y))
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{_n(y)}" width="{_n(length)}" height="{ROW - 8}" fill="{FILL}" stroke="{INK}" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{_n(LABEL_WIDTH + length + 6)}" y="{_n(y + ROW / 2 + 1)}" fill="{INK}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Chart(name, title, mark_safe("".join(parts)))


def stacked_bar_chart(name: str, title: str, bars: list[StackedBar], *, first: str, second: str, nothing: str) -> Chart:
    """Horizontal bars of two parts (met and missed): the first solid, the second lighter and
    hatched, a legend naming both above, and the numbers at the bar's end."""
    if not bars or not any(bar.first + bar.second for bar in bars):
        return _empty(name, title, nothing)
    top = max(bar.first + bar.second for bar in bars)
    legend = 26
    height = legend + len(bars) * ROW + 8
    hatch = f"{name}-hatch"
    parts = _open(name, title, height)
    parts.append(
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{SECOND_FILL}"/><line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="1.5"/>'
        f"</pattern></defs>"
    )
    parts.append(f'<rect x="{LABEL_WIDTH}" y="4" width="14" height="14" fill="{FILL}" stroke="{INK}" stroke-width="0.5"/>')
    parts.append(f'<text x="{LABEL_WIDTH + 20}" y="16" fill="{INK}">{escape(first)}</text>')
    parts.append(f'<rect x="{LABEL_WIDTH + 140}" y="4" width="14" height="14" fill="url(#{hatch})" stroke="{INK}" stroke-width="0.5"/>')
    parts.append(f'<text x="{LABEL_WIDTH + 160}" y="16" fill="{INK}">{escape(second)}</text>')
    for index, bar in enumerate(bars):
        y = legend + index * ROW + 4
        first_length = BAR_AREA * bar.first / top
        second_length = BAR_AREA * bar.second / top
        parts.append(_row_label(bar.label, y))
        if first_length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{_n(y)}" width="{_n(first_length)}" height="{ROW - 8}" fill="{FILL}" stroke="{INK}" stroke-width="0.5"/>'
            )
        if second_length:
            parts.append(
                f'<rect x="{_n(LABEL_WIDTH + first_length)}" y="{_n(y)}" width="{_n(second_length)}" height="{ROW - 8}" '
                f'fill="url(#{hatch})" stroke="{INK}" stroke-width="0.5"/>'
            )
        end = LABEL_WIDTH + first_length + second_length + 6
        parts.append(f'<text x="{_n(end)}" y="{_n(y + ROW / 2 + 1)}" fill="{INK}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Chart(name, title, mark_safe("".join(parts)))


def column_chart(name: str, title: str, bars: list[Bar], *, nothing: str, top: float | None = None) -> Chart:
    """Vertical columns over time up to `top` (by default the highest), each bar's text above it
    (while they fit; an empty text shows nothing) and every label that fits below."""
    if not bars or not any(bar.value for bar in bars):
        return _empty(name, title, nothing)
    top = top or max(bar.value for bar in bars)
    base, plot = 190, 160
    width = WIDTH / len(bars)
    label_every = max(1, round(len(bars) / 12))
    parts = _open(name, title, 220)
    parts.append(f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{INK}" stroke-width="1"/>')
    for index, bar in enumerate(bars):
        height = plot * bar.value / top
        x = index * width
        middle = x + width / 2
        parts.append(
            f'<rect x="{_n(x + width * 0.12)}" y="{_n(base - height)}" width="{_n(width * 0.76)}" height="{_n(height)}" '
            f'fill="{FILL}" stroke="{INK}" stroke-width="0.5"/>'
        )
        if len(bars) <= 31 and bar.text:
            parts.append(
                f'<text x="{_n(middle)}" y="{_n(base - height - 4)}" text-anchor="middle" font-size="11" fill="{INK}">{escape(bar.text)}</text>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{_n(middle)}" y="{base + 18}" text-anchor="middle" font-size="11" fill="{INK}">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return Chart(name, title, mark_safe("".join(parts)))


def _row_label(label: str, y: float) -> str:
    shown = label if len(label) <= 30 else label[:29] + "…"
    return f'<text x="{LABEL_WIDTH - 8}" y="{_n(y + ROW / 2 + 1)}" text-anchor="end" fill="{INK}">{escape(shown)}</text>'


def png(chart: Chart, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG (for mail), drawn by Typst from the same SVG."""
    with tempfile.TemporaryDirectory(prefix="chart-") as folder:
        Path(folder, "chart.svg").write_text(str(chart.svg), encoding="utf-8")
        Path(folder, "chart.typ").write_text(
            '#set page(width: auto, height: auto, margin: 4pt, fill: white)\n#image("chart.svg")\n', encoding="utf-8"
        )
        return typst.compile(str(Path(folder, "chart.typ")), root=folder, format="png", ppi=72 * scale, ignore_system_fonts=True)
