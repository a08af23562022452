"""The review dashboard's chart: review state per service as a stacked-bar SVG, at build time.

The layout (positions, widths) is computed here; the SVG markup is the autoescaped template
`templates/review-chart.svg`, so a service named `<script>` is drawn as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kbtool.model.review import ReviewStatus
from kbtool.site.model import REVIEW_LABELS
from kbtool.site.templates import html_environment

#: Each review state's colour. Colours keep their contrast on the light card background the
#: chart draws itself, in light and dark mode alike.
COLOURS: dict[ReviewStatus, str] = {
    ReviewStatus.OK: "#2e7d32",
    ReviewStatus.DUE_SOON: "#f9a825",
    ReviewStatus.OVERDUE: "#c62828",
    ReviewStatus.NEVER_REVIEWED: "#6a1b9a",
    ReviewStatus.FUTURE: "#607d8b",
}
#: Chart categories in drawing order: (key, legend label, colour), from the site's one table of
#: review-state labels; the key is the state's value (`due-soon`).
CATEGORIES: tuple[tuple[str, str, str], ...] = tuple(
    (status.value, label, COLOURS[status]) for status, label in REVIEW_LABELS.items()
)

LABEL_WIDTH = 170
BAR_WIDTH = 460
TOTAL_WIDTH = 60
ROW_HEIGHT = 26
BAR_HEIGHT = 18
TOP = 44
MIN_LABELLED_SEGMENT = 22  # px; narrower segments are drawn without their count


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    colour: str
    count: int
    x: float
    width: float
    text_colour: str

    @property
    def show_count(self) -> bool:
        return self.width >= MIN_LABELLED_SEGMENT


@dataclass(frozen=True)
class Row:
    service: str
    total: int
    y: int
    segments: tuple[Segment, ...]
    end_x: float


def chart_rows(counts: Mapping[str, Mapping[str, int]]) -> list[Row]:
    """Bars scaled to the largest service, so both size and share can be read at a glance."""
    largest = max((sum(c.values()) for c in counts.values()), default=0) or 1
    rows = []
    for index, (service, by_state) in enumerate(counts.items()):
        x = float(LABEL_WIDTH)
        segments = []
        for key, label, colour in CATEGORIES:
            count = by_state.get(key, 0)
            if count <= 0:
                continue
            width = BAR_WIDTH * count / largest
            text = "#000000" if key == "due-soon" else "#ffffff"
            segments.append(Segment(key, label, colour, count, x, width, text))
            x += width
        rows.append(
            Row(service, sum(by_state.values()), TOP + index * ROW_HEIGHT, tuple(segments), x)
        )
    return rows


def review_chart_svg(counts: Mapping[str, Mapping[str, int]], *, as_of: str) -> str:
    """An SVG document: one stacked bar per service (`counts[service][category] = n`)."""
    rows = chart_rows(counts)
    height = TOP + max(len(rows), 1) * ROW_HEIGHT + 16
    width = LABEL_WIDTH + BAR_WIDTH + TOTAL_WIDTH
    legend = []
    x = 10
    for key, label, colour in CATEGORIES:
        legend.append({"key": key, "label": label, "colour": colour, "x": x})
        x += 20 + 7 * len(label) + 18
    return (
        html_environment()
        .get_template("review-chart.svg")
        .render(
            rows=rows,
            legend=legend,
            width=width,
            height=height,
            label_width=LABEL_WIDTH,
            bar_height=BAR_HEIGHT,
            as_of=as_of,
            empty=not rows,
        )
    )
