"""The feedback controls on procedure pages and the review dashboard's feedback columns, in a
real `mkdocs build`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kbtool.events import Event, open_store
from kbtool.model.config import load_config
from tests.site.conftest import PROCEDURES, mkdocs_build, site_procedure, write_kb

RETIRED = {
    "email/old-fax.md": site_procedure(
        "KB-0090", "Fax to e-mail gateway", status="retired", reviewed="2026-01-01"
    )
}


def test_pages_carry_hidden_controls_and_the_dashboard_shows_feedback(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {**PROCEDURES, **RETIRED})
    when = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)  # after every review date
    store = open_store(load_config(cwd=root))
    store.add(
        [
            Event("problem_report", "site", time=when, procedure="KB-0001", category="unclear"),
            Event("solved", "site", time=when, procedure="KB-0001", solved=True),
            Event("solved", "site", time=when, procedure="KB-0002", solved=False),
        ]
    )
    store.close()
    build = mkdocs_build(root)
    assert build.returncode == 0, build.log
    page = (build.site / "procedures/email/outlook-profile/index.html").read_text("utf-8")
    section = re.search(r'<section class="kbtool-feedback".*?</section>', page, re.S)
    assert section is not None
    html = section.group(0)
    assert html.startswith(
        '<section class="kbtool-feedback" data-kbtool-procedure="KB-0001" data-search-exclude'
        " hidden>"
    )
    assert 'data-kbtool-solved="yes">Yes</button>' in html
    assert 'data-kbtool-solved="no">No</button>' in html
    assert "<summary>Report a problem with this procedure</summary>" in html
    assert re.findall(r'<option value="([^"]+)">', html) == [
        "wrong step",
        "out of date",
        "unclear",
        "missing case",
    ]
    assert 'maxlength="1000"' in html
    assert re.search(r'<script src="[./]*assets/kbtool/feedback\.js"></script>', page)
    assert (build.site / "assets/kbtool/feedback.js").is_file()
    retired = (build.site / "procedures/email/old-fax/index.html").read_text("utf-8")
    assert "kbtool-feedback" not in retired.split("<article", 1)[1]

    dashboard = (build.site / "review/index.html").read_text("utf-8")
    assert "<th" in dashboard and "Open problem reports" in dashboard
    email_row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>Email</a></td>(.*?)</tr>", dashboard, re.S)
    assert email_row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", email_row.group(1))
    assert cells[-2:] == ["1", "50% of 2"]


def test_without_a_store_the_dashboard_has_no_feedback_columns(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", PROCEDURES)
    build = mkdocs_build(root)
    assert build.returncode == 0, build.log
    dashboard = (build.site / "review/index.html").read_text("utf-8")
    assert "Open problem reports" not in dashboard
    assert not (root / ".kbtool" / "events.sqlite3").exists()
