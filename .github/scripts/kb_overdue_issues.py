"""One GitHub issue per overdue procedure, for its owner and backup (the scheduled job).

Usage: python .github/scripts/kb_overdue_issues.py stale.json
where stale.json is `kbtool stale --format json`. Needs the `gh` CLI with GH_TOKEN and GH_REPO.

Issues carry the label `kb-overdue` and a title starting `kb-overdue: <id>`, which is how the
next run finds them: an open issue is updated (days overdue, owners), never duplicated; an issue
whose procedure is no longer overdue is closed. `plan` is pure, so it is tested without GitHub.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

LABEL = "kb-overdue"
_TITLE = re.compile(rf"^{LABEL}: (\S+)")


@dataclass
class Action:
    kind: str  # "create" | "update" | "close"
    procedure_id: str
    number: int | None = None
    title: str = ""
    body: str = ""
    assignees: list[str] = field(default_factory=list)


def overdue_procedures(stale: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        item
        for group in stale.get("groups", [])
        for item in group.get("procedures", [])
        if "overdue" in item.get("categories", []) and item.get("id")
    ]


def issue_title(item: dict[str, Any]) -> str:
    return f"{LABEL}: {item['id']} {item['title']}"


def issue_body(item: dict[str, Any], today: str) -> str:
    def who(handle: str | None, github: str | None) -> str:
        if not handle:
            return "nobody"
        return f"{handle} (@{github})" if github else handle

    lines = [
        f"**{item['id']} {item['title']}** (`{item['repo_path']}`) is "
        f"**{item['days_overdue']} days overdue** for review: last reviewed "
        f"{item['reviewed']}, due {item['due']} (every {item['review_every']} days).",
        "",
        f"- Owner: {who(item['owner'], item['owner_github'])}",
        f"- Backup: {who(item['backup'], item['backup_github'])}",
    ]
    if item.get("orphaned"):
        lines.append(
            f"- The owner is {item['orphan_reason']}: "
            f"{who(item['acting_owner'], item['acting_owner_github'])} is acting owner."
        )
    lines += [
        "",
        "Review the procedure against how things work today, fix what changed, then record "
        f"the review with `kbtool review {item['id']}` and open a pull request.",
        "This issue is updated by the scheduled freshness job and closed once the procedure "
        "is no longer overdue.",
        "",
        f"_As of {today}._",
    ]
    return "\n".join(lines)


def plan(stale: dict[str, Any], open_issues: list[dict[str, Any]]) -> list[Action]:
    """What to do, given the report and the open `kb-overdue` issues (`number`, `title`, `body`)."""
    existing: dict[str, dict[str, Any]] = {}
    for issue in sorted(open_issues, key=lambda i: i["number"]):
        match = _TITLE.match(issue.get("title", ""))
        if match and match.group(1) not in existing:
            existing[match.group(1)] = issue
    actions: list[Action] = []
    overdue = overdue_procedures(stale)
    for item in overdue:
        title, body = issue_title(item), issue_body(item, stale.get("today", ""))
        assignees = list(item.get("assignees") or [])
        issue = existing.get(item["id"])
        if issue is None:
            actions.append(Action("create", item["id"], None, title, body, assignees))
        elif issue.get("title") != title or issue.get("body") != body:
            actions.append(Action("update", item["id"], issue["number"], title, body, assignees))
    still = {item["id"] for item in overdue}
    for ident, issue in existing.items():
        if ident not in still:
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
            args = ["issue", "create", "--title", action.title, "--body-file", "-",
                    "--label", LABEL]
            try:
                _gh(*args, *(["--assignee", ",".join(action.assignees)] if action.assignees
                             else []), stdin=action.body)
            except RuntimeError as exc:
                # Someone who cannot be assigned (not a collaborator): the @mentions in the
                # body still notify them.
                print(f"::warning::{action.procedure_id}: {exc}; created without assignees")
                _gh(*args, stdin=action.body)
        elif action.kind == "update":
            _gh("issue", "edit", str(action.number), "--title", action.title, "--body-file", "-",
                stdin=action.body)
        elif action.kind == "close":
            _gh("issue", "close", str(action.number), "--reason", "completed", "--comment",
                f"{action.procedure_id} is no longer overdue for review. Thank you!")
        print(f"{action.kind} {action.procedure_id}" + (f" #{action.number}" if action.number
                                                         else ""))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        stale = json.load(handle)
    _gh("label", "create", LABEL, "--force", "--color", "D93F0B",
        "--description", "A procedure overdue for review (kbtool stale)")
    issues = json.loads(_gh("issue", "list", "--label", LABEL, "--state", "open",
                            "--limit", "1000", "--json", "number,title,body"))
    apply(plan(stale, issues))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
