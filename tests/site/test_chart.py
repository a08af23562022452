"""The review chart: stacked bars per service in the order and colours of the review-state
table, scaled to the largest service, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kbtool.model.review import ReviewStatus
from kbtool.site.chart import (
    BAR_WIDTH,
    CATEGORIES,
    COLOURS,
    LABEL_WIDTH,
    MIN_LABELLED_SEGMENT,
    ROW_HEIGHT,
    TOP,
    chart_rows,
    review_chart_svg,
)
from kbtool.site.model import REVIEW_LABELS

SVG = "{http://www.w3.org/2000/svg}"


def test_categories_follow_the_review_state_table() -> None:
    assert [key for key, _, _ in CATEGORIES] == [s.value for s in REVIEW_LABELS]
    assert [label for _, label, _ in CATEGORIES] == list(REVIEW_LABELS.values())
    assert set(COLOURS) == set(REVIEW_LABELS)
    assert len({colour for _, _, colour in CATEGORIES}) == len(CATEGORIES)
    assert ReviewStatus.NOT_APPLICABLE not in COLOURS  # retired procedures are not drawn


def test_rows_stack_segments_in_drawing_order_scaled_to_the_largest_service() -> None:
    counts = {
        "Email": {"overdue": 1, "ok": 3},  # keys in any order: drawn in the table's order
        "Network": {"due-soon": 2},
        "Empty": {},
    }
    email, network, empty = chart_rows(counts)
    assert [s.key for s in email.segments] == ["ok", "overdue"]
    assert email.total == 4 and network.total == 2 and empty.segments == ()
    assert [row.y for row in (email, network, empty)] == [
        TOP,
        TOP + ROW_HEIGHT,
        TOP + 2 * ROW_HEIGHT,
    ]
    ok, overdue = email.segments
    assert ok.x == LABEL_WIDTH and ok.width == pytest.approx(BAR_WIDTH * 3 / 4)
    assert overdue.x == pytest.approx(ok.x + ok.width)
    assert email.end_x == pytest.approx(LABEL_WIDTH + BAR_WIDTH)
    assert network.segments[0].width == pytest.approx(BAR_WIDTH / 2)
    # Dark text on the yellow of "due soon", white on the others.
    assert network.segments[0].text_colour == "#000000" and ok.text_colour == "#ffffff"


def test_narrow_segments_are_drawn_without_their_count() -> None:
    (row,) = chart_rows({"Big": {"ok": 99, "overdue": 1}})
    ok, overdue = row.segments
    assert overdue.width < MIN_LABELLED_SEGMENT <= ok.width
    assert ok.show_count and not overdue.show_count


def test_chart_is_valid_svg_with_escaped_text() -> None:
    svg = review_chart_svg(
        {"<script>alert(1)</script>": {"ok": 3, "overdue": 1}, "Email": {"due-soon": 2}},
        as_of="2026-11-01",
    )
    root = ET.fromstring(svg.split("?>", 1)[1])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    bars = [
        r
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.find("{http://www.w3.org/2000/svg}title") is not None
    ]
    widths = {r.find("{http://www.w3.org/2000/svg}title").text: float(r.get("width")) for r in bars}
    # Scaled to the largest service (4): 3 of 4 reviewed, 1 overdue, 2 due soon.
    assert widths["<script>alert(1)</script>: 3 reviewed"] == pytest.approx(345, abs=0.1)
    assert widths["<script>alert(1)</script>: 1 overdue"] == pytest.approx(115, abs=0.1)
    assert widths["Email: 2 due soon"] == pytest.approx(230, abs=0.1)


def test_chart_without_procedures() -> None:
    svg = review_chart_svg({}, as_of="2026-11-01")
    assert "No published procedures yet." in svg
