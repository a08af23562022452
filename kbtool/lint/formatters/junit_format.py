"""JUnit XML, for the test report views of GitLab (`artifacts:reports:junit`) and Jenkins.

Each rule that ran is one test case over the whole knowledge base, grouped in one test suite
per rule family, so a clean run still shows every check passing and the list of tests does
not change from run to run. A rule whose findings are errors fails, with one `<failure>`
element listing every finding (`path:line:col: message`, one a line): JUnit readers keep only
the first failure of a test case. Warnings and info findings do not fail `kbtool lint`, so
their test cases pass and list the findings under `<system-out>`; they are not `<skipped>`,
since the rule did run.

Jenkins splits `classname` at its last dot into package and class, hence
`kbtool.lint.<family>` rather than file paths.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, visible
from kbtool.lint.rules import FAMILY_TITLES, RULES_BY_CODE

_LINE_BREAKS = re.compile(r"\r\n|[\r\n]")


def xml_text(text: str) -> str:
    """`text` that XML 1.0 can carry: control characters become visible `\\xNN` (`visible`)."""
    return visible(text)


def _line(finding: Finding) -> str:
    """`path:line:col: message`; a message's further lines are indented under it."""
    message = _LINE_BREAKS.sub("\n    ", finding.message)
    return f"{finding.path}:{finding.line}:{finding.col}: {message}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _family(code: str) -> tuple[str, str]:
    """(suite name, classname) of the family a code belongs to."""
    prefix = code[:2]
    rule = RULES_BY_CODE.get(code)
    module = rule.family if rule is not None else prefix.lower()
    title = FAMILY_TITLES.get(prefix, prefix)
    return f"{title} ({prefix})", f"kbtool.lint.{module}"


def junit_tree(report: Report) -> ET.Element:
    """The `<testsuites>` element of the report."""
    result = report.result
    names = {r.code: r.name for r in result.rules_run}
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_code[f.code].append(f)
        if f.code not in names:
            known = RULES_BY_CODE.get(f.code)
            names[f.code] = known.name if known is not None else ""

    prefixes = list(FAMILY_TITLES)
    codes = sorted(
        names, key=lambda c: (prefixes.index(c[:2]) if c[:2] in prefixes else len(prefixes), c)
    )
    root = ET.Element("testsuites", name="kbtool lint")
    suites: dict[str, ET.Element] = {}
    totals = {"tests": 0, "failures": 0}
    for code in codes:
        suite_name, classname = _family(code)
        suite = suites.get(suite_name)
        if suite is None:
            suite = suites[suite_name] = ET.SubElement(root, "testsuite", name=suite_name)
            suite.attrib.update(tests="0", failures="0", errors="0", skipped="0")
        title = f"{code} {names[code]}".strip()
        case = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(title))
        suite.set("tests", str(int(suite.get("tests", "0")) + 1))
        totals["tests"] += 1
        found = by_code.get(code, [])
        errors = [f for f in found if f.severity is Severity.ERROR]
        others = [f for f in found if f.severity is not Severity.ERROR]
        if errors:
            failure = ET.SubElement(
                case,
                "failure",
                type=code,
                message=xml_text(f"{_plural(len(errors), 'error')}: {_line(errors[0])}"),
            )
            failure.text = xml_text("\n".join(_line(f) for f in errors)) + "\n"
            suite.set("failures", str(int(suite.get("failures", "0")) + 1))
            totals["failures"] += 1
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text("\n".join(f"{f.severity.label}: {_line(f)}" for f in others)) + "\n"
    root.attrib.update(
        tests=str(totals["tests"]), failures=str(totals["failures"]), errors="0", skipped="0"
    )
    return root


def render(report: Report) -> str:
    root = junit_tree(report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
