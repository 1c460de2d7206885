"""Bar charts drawn on the server, as the numbers for an inline SVG
(templates/includes/chart_bars.html): no script, no charting library.

One horizontal bar per row, its value written beside it, so that no meaning
rests on colour; a hatched bar (or the hatched end of one) is named in the
chart's description and its row's text. The drawing is 340 units wide; it
takes the width of its box, shrinking on a narrower one, and never grows past
its own size, so that its text stays the size of the page's.
Coordinates are strings, so that no locale writes a decimal comma into the
SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The drawing's width, in its own units (about CSS pixels on a phone).
WIDTH = 340
FONT_SIZE = 13
#: About the width of one character at FONT_SIZE, and of one of the values
#: written in bold beside the bars.
CHAR_WIDTH = 7.3
VALUE_CHAR_WIDTH = 8.2
#: Labels at most this long sit beside their bars (years); longer ones above.
BESIDE_LABEL_CHARS = 16
#: The longest label written above a bar; a longer one is cut with "…".
ABOVE_LABEL_CHARS = int(WIDTH / CHAR_WIDTH)
BAR_HEIGHT = 16
GAP = 4


@dataclass(frozen=True)
class Bar:
    """One row of a chart: `value` sets the bar's length (None: no bar, the
    text says why), `span_to` draws a hatched end up to it (a range), and
    `hatched` hatches the whole bar (a row unlike the others, such as "year not
    known")."""

    label: str
    value: float | None
    text: str
    span_to: float | None = None
    hatched: bool = False


def number(x: float) -> str:
    return f"{x:.1f}"


def fit(label: str, chars: int) -> str:
    """`label` cut to `chars` characters, the cut marked with "…"."""
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def bar_chart(
    chart_id: str, title: str, desc: str, bars: Sequence[Bar]
) -> dict[str, Any]:
    """What the template needs to draw `bars`: the view box and, for each bar,
    its label, rectangles and text with their positions."""
    beside = all(len(bar.label) <= BESIDE_LABEL_CHARS for bar in bars)
    label_width = (
        max((len(bar.label) for bar in bars), default=0) * CHAR_WIDTH + 8
        if beside
        else 0.0
    )
    text_room = max((len(bar.text) for bar in bars), default=0) * VALUE_CHAR_WIDTH + 8
    start = label_width
    room = max(WIDTH - start - text_room, 1.0)
    largest = max((max(bar.value or 0, bar.span_to or 0) for bar in bars), default=0)
    scale = room / largest if largest else 0.0
    row_height = BAR_HEIGHT + (2 * GAP if beside else FONT_SIZE + 3 * GAP)
    drawn = []
    for index, bar in enumerate(bars):
        top = GAP + index * row_height
        bar_top = top if beside else top + FONT_SIZE + GAP
        length = (bar.value or 0) * scale
        span = max((bar.span_to or 0) * scale - length, 0.0)
        end = start + length + span
        drawn.append(
            {
                "label": bar.label if beside else fit(bar.label, ABOVE_LABEL_CHARS),
                "label_x": number(label_width - 6 if beside else 0),
                "label_y": number(bar_top + BAR_HEIGHT - 4 if beside else top + 11),
                "label_anchor": "end" if beside else "start",
                "x": number(start),
                "y": number(bar_top),
                "width": number(length) if length else "",
                "height": number(BAR_HEIGHT),
                "hatched": bar.hatched,
                "span_x": number(start + length),
                "span_width": number(span) if span else "",
                "text": bar.text,
                "text_x": number(end + 4),
                "text_y": number(bar_top + BAR_HEIGHT - 4),
                "no_bar": bar.value is None,
            }
        )
    height = GAP + len(bars) * row_height
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "viewbox": f"0 0 {WIDTH} {number(height)}",
        # Its own height, in pixels: the drawing fills the width of a phone
        # but grows no larger than its size on one (text of FONT_SIZE px).
        "height": number(height),
        "font_size": FONT_SIZE,
        # The bars' common start, drawn as a line where labels sit beside them.
        "axis_x": number(start) if beside else "",
        "axis_height": number(height),
        "bars": drawn,
    }
