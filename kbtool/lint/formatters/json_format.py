"""`{"findings": [...], "summary": {...}}` as documented in PRODUCT.md."""

from __future__ import annotations

import json
from typing import Any

from kbtool.lint.formatters import Report, safe_text


def render(report: Report) -> str:
    data: dict[str, Any] = {
        "findings": [
            {
                "path": safe_text(f.path),
                "line": f.line,
                "col": f.col,
                "code": f.code,
                "severity": f.severity.label,
                "message": safe_text(f.message),
            }
            for f in report.result.findings
        ],
        "summary": report.result.summary(),
    }
    if report.baselined:
        data["summary"]["baselined"] = report.baselined
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
