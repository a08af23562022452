"""Generated pages that fit the screen: wide tables wrap at 1280 px and stack on a phone.

`fit_tables` wraps a generated page's HTML in `kbtool-generated` (see `templates/kbtool.css`)
and gives every table cell its column's heading as `data-label`, which a phone shows in front
of the value when the rows are stacked ("Owns: 3") instead of scrolling sideways.
"""

from __future__ import annotations

import html
import re

_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td\b")
_TAG = re.compile(r"<[^>]*>")


def fit_tables(page_html: str) -> str:
    """The page's HTML in a `kbtool-generated` block, its cells labelled by their column."""
    return f'<div class="kbtool-generated">{_TABLE.sub(_label_table, page_html)}</div>'


def _label_table(match: re.Match[str]) -> str:
    inner = match.group(1)
    head, _, body = inner.partition("</thead>")
    if not body:
        return match.group(0)
    labels = [_label(cell) for cell in _HEAD_CELL.findall(head)]

    def label_row(row: re.Match[str]) -> str:
        cells = iter(labels)

        def label_cell(_cell: re.Match[str]) -> str:
            text = next(cells, "")
            return f'<td data-label="{html.escape(text, quote=True)}"' if text else "<td"

        return "<tr>" + _CELL.sub(label_cell, row.group(1)) + "</tr>"

    return f"<table>{head}</thead>{_ROW.sub(label_row, body)}</table>"


def _label(cell: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", cell)).split())
