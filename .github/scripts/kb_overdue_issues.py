"""GitHub issues for overdue procedures, from the scheduled freshness job.

Usage: python .github/scripts/kb_overdue_issues.py stale.json [--per-procedure] [--max-new N]
where stale.json is `kbtool stale --format json` (with `--baseline FILE` when the knowledge base
has one: what the baseline accepts is not in the report, so no issue is filed for it). Needs the
`gh` CLI with GH_TOKEN and GH_REPO.

By default there is **one issue per acting owner**, listing every procedure of theirs that is
overdue (most overdue first), assigned to them and updated in place every day; a knowledge base
of 2,500 procedures gets one issue per person, not one per procedure. `--per-procedure` opens
one issue per overdue procedure instead, keyed by its id, or by its path when it has none.

Each issue carries the label `kb-overdue` and, at the end of its body, a marker naming what it
is about (`<!-- kb-overdue key=owner:jdoe -->`), which is how the next run finds it: an open
issue is updated, never duplicated, and closed once nothing of it is overdue. Every open issue
with the label is listed, page after page. `plan` is pure, so it is tested without GitHub.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

LABEL = "kb-overdue"
_MARKER = re.compile(r"<!-- kb-overdue key=(\S+) -->")
_OLD_TITLE = re.compile(rf"^{LABEL}: (\S+)")  # issues filed before the marker existed
#: GitHub refuses an issue body over 65,536 characters: the list stops well before.
MAX_BODY = 60_000
#: New issues one run opens at most (GitHub limits how fast content is created); the rest
#: are opened by the next runs.
MAX_NEW = 50


@dataclass
class Action:
    kind: str  # "create" | "update" | "close"
    key: str  # "owner:jdoe", "owner:" (nobody can act), "procedure:KB-0042"
    number: int | None = None
    title: str = ""
    body: str = ""
    assignees: list[str] = field(default_factory=list)


def overdue_groups(stale: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each acting owner's group with its overdue procedures (groups with none left out)."""
    found = []
    for group in stale.get("groups", []):
        items = [p for p in group.get("procedures", []) if "overdue" in p.get("categories", [])]
        if items:
            items.sort(key=lambda p: (-(p.get("days_overdue") or 0), p.get("path", "")))
            found.append((group, items))
    return found


def procedure_key(item: dict[str, Any]) -> str:
    """A procedure's key: its id, else its path from the repository root."""
    return f"procedure:{item.get('id') or item['repo_path']}"


def _who(handle: str | None, github: str | None) -> str:
    if not handle:
        return "nobody"
    return f"{handle} (@{github})" if github else handle


def _cell(text: Any) -> str:
    """Text safe in a Markdown table cell of an issue."""
    value = " ".join(str(text if text is not None else "").split())
    for char in "\\|<>`*_[]":
        value = value.replace(char, "\\" + char)
    return value


def owner_issue(group: dict[str, Any], items: list[dict[str, Any]], today: str) -> Action:
    handle = group.get("acting_owner")
    key = f"owner:{handle or ''}"
    n = len(items)
    plural = "procedure" if n == 1 else "procedures"
    if handle:
        name = group.get("name") or handle
        title = f"{LABEL}: {n} {plural} of {name} ({handle}) overdue for review"
        opening = f"{_who(handle, group.get('github'))} answers for **{n} {plural} overdue** for review"
    else:
        title = f"{LABEL}: {n} overdue {plural} nobody can act for"
        opening = f"Nobody available answers for these **{n} overdue {plural}**: assign an owner"
    lines = [
        f"{opening}, most overdue first.",
        "",
        "| procedure | file | days overdue | due | note |",
        "| --- | --- | ---: | --- | --- |",
    ]
    size = sum(len(line) + 1 for line in lines) + 1000
    shown = 0
    for item in items:
        note = ""
        if item.get("orphaned"):
            note = f"acting for {item.get('owner')} ({item.get('orphan_reason')})"
        label = f"{item.get('id') or ''} {item.get('title') or ''}".strip()
        row = (
            f"| {_cell(label)} | `{_cell(item['repo_path'])}` | {item.get('days_overdue')} | "
            f"{item.get('due')} | {_cell(note)} |"
        )
        if size + len(row) > MAX_BODY:
            break
        lines.append(row)
        size += len(row) + 1
        shown += 1
    if shown < n:
        lines += ["", f"... and {n - shown:,} more: `kbtool stale --summary` lists them all."]
    lines += [
        "",
        "Review each against how things work today, fix what changed, then record the review "
        "with `kbtool review ID` (or the file's path) and open a pull request. This issue is "
        "updated every day by the freshness job and closed once none of them is overdue.",
        "",
        f"_As of {today}._",
        "",
        f"<!-- kb-overdue key={key} -->",
    ]
    assignees = [group["github"]] if handle and group.get("github") else []
    return Action("create", key, None, title, "\n".join(lines), assignees)


def procedure_issue(item: dict[str, Any], today: str) -> Action:
    key = procedure_key(item)
    name = item.get("id") or item["repo_path"]
    lines = [
        f"**{name} {item['title']}** (`{item['repo_path']}`) is "
        f"**{item['days_overdue']} days overdue** for review: last reviewed "
        f"{item['reviewed']}, due {item['due']} (every {item['review_every']} days).",
        "",
        f"- Owner: {_who(item['owner'], item['owner_github'])}",
        f"- Backup: {_who(item['backup'], item['backup_github'])}",
    ]
    if item.get("orphaned"):
        lines.append(
            f"- The owner is {item['orphan_reason']}: "
            f"{_who(item['acting_owner'], item['acting_owner_github'])} is acting owner."
        )
    lines += [
        "",
        "Review the procedure against how things work today, fix what changed, then record "
        f"the review with `kbtool review {item.get('id') or item['path']}` and open a pull "
        "request. This issue is updated by the scheduled freshness job and closed once the "
        "procedure is no longer overdue.",
        "",
        f"_As of {today}._",
        "",
        f"<!-- kb-overdue key={key} -->",
    ]
    title = f"{LABEL}: {name} {item['title']}"
    return Action("create", key, None, title, "\n".join(lines), list(item.get("assignees") or []))


def issue_key(issue: dict[str, Any]) -> str | None:
    """What an open issue is about: its marker, else (older issues) the id in its title."""
    match = _MARKER.search(issue.get("body") or "")
    if match:
        return match.group(1)
    old = _OLD_TITLE.match(issue.get("title") or "")
    return f"procedure:{old.group(1)}" if old else None


def plan(
    stale: dict[str, Any],
    open_issues: list[dict[str, Any]],
    *,
    per_procedure: bool = False,
    max_new: int = MAX_NEW,
) -> list[Action]:
    """What to do, given the report and the open `kb-overdue` issues (`number`, `title`, `body`)."""
    today = stale.get("today", "")
    existing: dict[str, dict[str, Any]] = {}
    for issue in sorted(open_issues, key=lambda i: i["number"]):
        key = issue_key(issue)
        if key is not None and key not in existing:
            existing[key] = issue
    wanted: list[Action] = []
    for group, items in overdue_groups(stale):
        if per_procedure:
            wanted += [procedure_issue(item, today) for item in items]
        else:
            wanted.append(owner_issue(group, items, today))
    actions: list[Action] = []
    new = 0
    for action in wanted:
        issue = existing.get(action.key)
        if issue is None:
            if new < max_new:
                actions.append(action)
            new += 1
        elif issue.get("title") != action.title or issue.get("body") != action.body:
            action.kind, action.number = "update", issue["number"]
            actions.append(action)
    if new > max_new:
        print(f"::notice::{new - max_new} more issues are opened by the next runs")
    still = {action.key for action in wanted}
    for key, issue in existing.items():
        if key not in still:
            actions.append(Action("close", key, issue["number"]))
    return actions


def parse_pages(text: str) -> list[dict[str, Any]]:
    """The issues in `gh api --paginate` output: one JSON array per page, back to back
    (`[...][...]`), or one object per line; pull requests (the same endpoint) left out."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        value, position = decoder.raw_decode(text, position)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "pull_request" not in item:
                found.append(item)
    return found


def _gh(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["gh", *args], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gh {' '.join(args[:2])}: {done.stderr.strip()}")
    return done.stdout


def open_issues() -> list[dict[str, Any]]:
    """Every open issue with the label, however many pages (100 a page)."""
    text = _gh(
        "api",
        "--paginate",
        f"repos/{{owner}}/{{repo}}/issues?labels={LABEL}&state=open&per_page=100",
    )
    return parse_pages(text)


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
                print(f"::warning::{action.key}: {exc}; created without assignees")
                _gh(*args, stdin=action.body)
        elif action.kind == "update":
            _gh("issue", "edit", str(action.number), "--title", action.title, "--body-file", "-",
                stdin=action.body)
        elif action.kind == "close":
            _gh("issue", "close", str(action.number), "--reason", "completed", "--comment",
                "Nothing of this is overdue any more (reviewed, or accepted in the baseline). "
                "Thank you!")
        print(f"{action.kind} {action.key}" + (f" #{action.number}" if action.number else ""))


def main(argv: list[str]) -> int:
    args = argv[1:]
    per_procedure = "--per-procedure" in args
    max_new = MAX_NEW
    if "--max-new" in args:
        at = args.index("--max-new")
        max_new = int(args[at + 1])
        del args[at : at + 2]
    files = [a for a in args if not a.startswith("--")]
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(files[0], encoding="utf-8") as handle:
        stale = json.load(handle)
    _gh("label", "create", LABEL, "--force", "--color", "D93F0B",
        "--description", "A procedure overdue for review (kbtool stale)")
    apply(plan(stale, open_issues(), per_procedure=per_procedure, max_new=max_new))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
