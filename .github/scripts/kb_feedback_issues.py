"""One GitHub issue per procedure with open feedback, for its owner and backup (scheduled job).

Usage: python .github/scripts/kb_feedback_issues.py feedback.json
where feedback.json is `kbtool feedback --format json`. Needs the `gh` CLI with GH_TOKEN and
GH_REPO.

Issues carry the label `kb-feedback` and a title starting `kb-feedback: <id>`, which is how the
next run finds them: an open issue is updated with the feedback as it is now, never duplicated;
an issue whose procedure has no open feedback any more (it was reviewed since) is closed. What
agents wrote is quoted as text: Markdown, HTML and @mentions in it do nothing. `plan` is pure,
so it is tested without GitHub.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

LABEL = "kb-feedback"
_TITLE = re.compile(rf"^{LABEL}: (\S+)")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~@])")


@dataclass
class Action:
    kind: str  # "create" | "update" | "close"
    procedure_id: str
    number: int | None = None
    title: str = ""
    body: str = ""
    assignees: list[str] = field(default_factory=list)


def quoted(text: str) -> str:
    """Agent-written text, shown as written and inert: every Markdown character escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def by_procedure(feedback: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{procedure id: {title, owner group, items}} of the open feedback."""
    procedures: dict[str, dict[str, Any]] = {}
    for group in feedback.get("owners", []):
        for item in group.get("items", []):
            if not item.get("procedure") or item.get("title") == "(unknown procedure)":
                continue
            entry = procedures.setdefault(
                item["procedure"], {"title": item["title"], "group": group, "items": []}
            )
            entry["items"].append(item)
    return procedures


def issue_title(ident: str, entry: dict[str, Any]) -> str:
    return f"{LABEL}: {ident} {entry['title']}"


def issue_body(ident: str, entry: dict[str, Any], today: str) -> str:
    group = entry["group"]

    def who(handle: str | None, github: str | None) -> str:
        if not handle:
            return "nobody"
        return f"{handle} (@{github})" if github else handle

    lines = [
        f"Agents left feedback on **{ident} {quoted(entry['title'])}** that is not handled yet:",
        "",
    ]
    for item in entry["items"]:
        what = (
            "did not solve it"
            if item["kind"] == "not_solved"
            else f"problem: {item.get('category') or 'other'}"
        )
        text = f": {quoted(item['text'])}" if item.get("text") else ""
        lines.append(f"- {item['time'][:10]}, {what}{text}")
    lines += [
        "",
        f"- Answers for it today: {who(group['owner'], group.get('owner_github'))}",
        f"- Backup: {who(group.get('backup'), group.get('backup_github'))}",
        "",
        "Fix the procedure, then record the review with "
        f"`kbtool review {ident}` and open a pull request: feedback older than the review "
        "counts as handled, and this issue is closed by the next run.",
        "",
        f"_As of {today}._",
    ]
    return "\n".join(lines)


def plan(feedback: dict[str, Any], open_issues: list[dict[str, Any]]) -> list[Action]:
    """What to do, given the feedback and the open `kb-feedback` issues."""
    existing: dict[str, dict[str, Any]] = {}
    for issue in sorted(open_issues, key=lambda i: i["number"]):
        match = _TITLE.match(issue.get("title", ""))
        if match and match.group(1) not in existing:
            existing[match.group(1)] = issue
    actions: list[Action] = []
    procedures = by_procedure(feedback)
    for ident, entry in sorted(procedures.items()):
        title, body = issue_title(ident, entry), issue_body(ident, entry, feedback.get("today", ""))
        group = entry["group"]
        assignees = [h for h in (group.get("owner_github"), group.get("backup_github")) if h]
        issue = existing.get(ident)
        if issue is None:
            actions.append(Action("create", ident, None, title, body, assignees))
        elif issue.get("title") != title or issue.get("body") != body:
            actions.append(Action("update", ident, issue["number"], title, body, assignees))
    for ident, issue in existing.items():
        if ident not in procedures:
            actions.append(Action("close", ident, issue["number"]))
    return actions


def _gh(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["gh", *args], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gh {' '.join(args[:2])}: {done.stderr.strip()}")
    return done.stdout


def apply(actions: list[Action]) -> None:
    for action in actions:
        if action.kind == "create":
            args = ["issue", "create", "--title", action.title, "--body-file", "-"]
            args += ["--label", LABEL]
            try:
                extra = ["--assignee", ",".join(action.assignees)] if action.assignees else []
                _gh(*args, *extra, stdin=action.body)
            except RuntimeError as exc:
                print(f"::warning::{action.procedure_id}: {exc}; created without assignees")
                _gh(*args, stdin=action.body)
        elif action.kind == "update":
            _gh("issue", "edit", str(action.number), "--title", action.title, "--body-file", "-",
                stdin=action.body)  # fmt: skip
        elif action.kind == "close":
            thanks = f"The feedback on {action.procedure_id} is handled (reviewed since). Thanks!"
            _gh("issue", "close", str(action.number), "--reason", "completed", "--comment", thanks)
        number = f" #{action.number}" if action.number else ""
        print(f"{action.kind} {action.procedure_id}{number}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        feedback = json.load(handle)
    _gh("label", "create", LABEL, "--force", "--color", "FBCA04",
        "--description", "Open feedback from agents on a procedure (kbtool feedback)")  # fmt: skip
    issues = json.loads(_gh("issue", "list", "--label", LABEL, "--state", "open",
                            "--limit", "1000", "--json", "number,title,body"))  # fmt: skip
    apply(plan(feedback, issues))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
