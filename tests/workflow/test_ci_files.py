"""The ready-made CI: workflows, pre-commit hooks, pull-request template, issue script."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
import yaml

from kbtool.cli import main
from kbtool.lint.rules import RULES_BY_CODE
from tests.conftest import TODAY

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 (PyYAML) reads the key `on` as True; GitHub reads it as "on".
    data["on"] = data.pop(True, data.get("on"))
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in _steps(workflow) if "uses" in step]


def _kbtool_commands(workflow: dict[str, Any]) -> list[list[str]]:
    """Every `kbtool ...` command line of the workflow's run steps, env variables expanded."""
    env = {k: str(v) for k, v in workflow.get("env", {}).items()}
    commands = []
    for step in _steps(workflow):
        for line in step.get("run", "").splitlines():
            line = line.split(">>")[0].strip()
            if line.startswith("kbtool "):
                line = line.replace('"${baseline[@]}"', '--baseline "$KBTOOL_BASELINE"')
                line = re.sub(r"\$\{\{[^}]*\}\}", "main", line)
                line = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), m.group(0)), line)
                commands.append(shlex.split(line)[1:])
    return commands


def _parses(args: list[str]) -> None:
    """Parse a command line exactly as `kbtool` would, without running it."""
    with main.make_context("kbtool", list(args)) as ctx:
        # Click 8.2 keeps the sub-command's words in `_protected_args` (`protected_args` is
        # deprecated); older versions only have `protected_args`.
        protected = getattr(ctx, "_protected_args", None)
        name, *rest = [*(protected if protected is not None else ctx.protected_args), *ctx.args]
        command = main.get_command(ctx, name)
        assert command is not None, name
        command.make_context(name, rest, parent=ctx)


@pytest.mark.parametrize("name", ["kb-pull-request.yml", "kb-freshness.yml", "kb-publish.yml"])
def test_workflow_structure(name: str) -> None:
    workflow = _workflow(name)
    assert workflow["name"] and workflow["on"] and workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:  # pinned to a commit, whose tag a comment says (`# v4.4.0`)
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                text = (WORKFLOWS / name).read_text(encoding="utf-8")
                assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+$", text, re.M)
        assert job["permissions"], "each job says what it may do"
    assert workflow["permissions"] == {}, "nothing granted to the whole workflow"
    for args in _kbtool_commands(workflow):
        try:
            _parses(args)
        except click.UsageError as exc:  # pragma: no cover - the assertion message
            pytest.fail(f"{name}: kbtool {' '.join(args)}: {exc}")


def test_pull_request_workflow() -> None:
    workflow = _workflow("kb-pull-request.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["jobs"]["lint"]["permissions"]["security-events"] == "write"
    steps = _steps(workflow)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'kbtool lint --changed-since "origin/$BASE_REF" --format github' in runs
    assert "${{" not in runs  # event data reaches a script only through env:
    assert (
        'kbtool lint "${baseline[@]}" --ignore "$DATE_RULES" --format sarif -o kbtool.sarif' in runs
    )
    assert "kbtool codeowners --check" in runs and "mkdocs build --strict" in runs
    assert 'kbtool eval "$SEARCH_REGRESSION" --min-mrr "$SEARCH_MIN_MRR"' in runs
    assert (REPO / workflow["env"]["SEARCH_REGRESSION"]).is_file()
    assert 0 < float(workflow["env"]["SEARCH_MIN_MRR"]) <= 1
    assert "github/codeql-action/upload-sarif" in _uses(workflow)
    # The rules left out of the whole-base lint are real, and exactly the date-dependent ones.
    date_rules = workflow["env"]["DATE_RULES"].split(",")
    assert all(code in RULES_BY_CODE for code in date_rules)
    assert {"FR001", "FR002"} <= set(date_rules)


def test_freshness_workflow() -> None:
    workflow = _workflow("kb-freshness.yml")
    assert re.fullmatch(r"[\d*]+ [\d*]+ \* \* \*", workflow["on"]["schedule"][0]["cron"])
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["jobs"]["freshness"]["permissions"]["issues"] == "write"
    runs = [s.get("run", "") for s in _steps(workflow)]
    assert any(
        'kbtool stale "${baseline[@]}" --summary --format markdown >> "$GITHUB_STEP_SUMMARY"' in r
        for r in runs
    )
    assert any("kb_overdue_issues.py stale.json $KB_ISSUES" in r for r in runs)
    assert "kbtool stale" in runs[-1] and "--fail" in runs[-1]  # last: issues filed first
    assert (REPO / ".github/scripts/kb_overdue_issues.py").is_file()
    # every kbtool stale of the job takes the baseline when the file is there
    stale_lines = [line for r in runs for line in r.splitlines() if "kbtool stale" in line]
    assert len(stale_lines) == 3 and all('"${baseline[@]}"' in line for line in stale_lines)
    assert runs[-1].count('if [ -f "$KBTOOL_BASELINE" ]') == 1
    for args in _kbtool_commands(workflow):
        _parses(args)


def test_the_freshness_job_with_a_baseline_files_nothing_on_day_one(mixed_kb: Path) -> None:
    """A first run on an adopted knowledge base: everything overdue is in the baseline."""
    script = _script()
    later = "2027-06-01"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kbtool",
            "--today",
            later,
            "lint",
            "--baseline",
            "kbtool-baseline.json",
            "--update-baseline",
        ],
        cwd=mixed_kb,
        check=True,
        capture_output=True,
    )
    stale = _stale_json(mixed_kb, later, "--baseline", "kbtool-baseline.json")
    assert script.plan(stale, []) == []
    assert stale["summary"]["baselined"] >= 5
    without = _stale_json(mixed_kb, later)
    keys = [a.key for a in script.plan(without, [])]  # one issue per acting owner
    assert keys == ["owner:asmith", "owner:away", "owner:jdoe"]  # away is back by then


def test_publish_workflow() -> None:
    workflow = _workflow("kb-publish.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    # Only the job that deploys may write to Pages; the build (which runs the plugin and the
    # procedures' content through MkDocs) reads.
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= set(_uses(workflow))
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    lint = hooks["kbtool-lint"]
    assert lint["entry"] == "kbtool lint --only-procedures" and lint["language"] == "python"
    assert lint["pass_filenames"] is True
    files = re.compile(lint["files"])
    # every Markdown file: kbtool picks the procedures folder's from kbtool.toml
    assert files.search("procedures/email/outlook.md") and files.search("kb/a.md")
    assert not files.search("procedures/roster.yml")
    codeowners = re.compile(hooks["kbtool-codeowners"]["files"])
    for changed in ("articles/a.md", "roster.yml", "procedures/roster.yml", ".github/CODEOWNERS"):
        assert codeowners.search(changed), changed
    check = hooks["kbtool-codeowners"]
    assert check["entry"] == "kbtool codeowners --check" and check["pass_filenames"] is False
    for hook in hooks.values():
        _parses(shlex.split(hook["entry"])[1:])


def test_pre_commit_hook_entry_lints_the_files_given(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    """What pre-commit runs: `kbtool lint FILE...` on the staged procedures only."""
    bad = kb_root / "procedures/email/bad.md"
    bad.write_text("---\nid: KB-0002\n---\n# Bad\n")
    good = "procedures/email/outlook-profile.md"
    assert run_cli("--today", TODAY, "lint", good).exit_code == 0
    result = run_cli("--today", TODAY, "lint", good, "procedures/email/bad.md")
    assert result.exit_code == 1 and "procedures/email/bad.md" in result.output


@pytest.mark.parametrize("procedures", ["procedures", "."])
def test_the_hook_lints_only_the_procedures_among_the_staged_files(
    kb_root: Path, run_cli: Callable[..., Any], procedures: str
) -> None:
    """pre-commit passes every staged Markdown file; the configured folder decides."""
    if procedures == ".":
        (kb_root / "kbtool.toml").write_text('procedures = "."\nroster = "procedures/roster.yml"\n')
    (kb_root / "README.md").write_text("# Not a procedure\n")
    bad = kb_root / "procedures/email/bad.md"
    bad.write_text("---\nid: KB-0002\n---\n# Bad\n")
    args = ["--today", TODAY, "lint", "--only-procedures", "--format", "json"]
    result = run_cli(*args, "README.md", "procedures/email/bad.md")
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    if procedures == ".":
        assert "README.md" in paths  # the whole repository is the knowledge base
    else:
        assert paths == {"procedures/email/bad.md"}
    result = run_cli(*args, "README.md")
    checked = json.loads(result.stdout)["summary"]["files"]
    assert (result.exit_code, checked) == ((1, 1) if procedures == "." else (0, 0))


def test_pull_request_template() -> None:
    text = (REPO / ".github/pull_request_template.md").read_text()
    boxes = re.findall(r"^- \[ \] ", text, re.M)
    assert len(boxes) >= 6
    for needle in ("kbtool review", "Owner and backup", "Escalation", "kbtool codeowners"):
        assert needle in text


# --- the issue script ------------------------------------------------------------------------


def _script() -> ModuleType:
    path = REPO / ".github/scripts/kb_overdue_issues.py"
    spec = importlib.util.spec_from_file_location("kb_overdue_issues", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _stale_json(root: Path, today: str, *args: str) -> dict[str, Any]:
    """The freshness job's own command, run for real."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kbtool",
            "--today",
            today,
            "stale",
            *args,
            "--format",
            "json",
            "-o",
            "stale.json",
        ],
        cwd=root,
        check=True,
    )
    return json.loads((root / "stale.json").read_text())


def test_one_issue_per_acting_owner_updated_in_place_and_closed(mixed_kb: Path) -> None:
    script = _script()
    stale = _stale_json(mixed_kb, TODAY)
    first = script.plan(stale, [])
    # KB-0002 (jdoe's) and KB-0004 (nobody can act) are overdue: one issue each
    assert [(a.kind, a.key) for a in first] == [("create", "owner:"), ("create", "owner:jdoe")]
    mine = first[1]
    assert mine.title == "kb-overdue: 1 procedure of Jane Doe (jdoe) overdue for review"
    assert mine.assignees == ["janedoe"]
    assert "| KB-0002 Late one | `procedures/email/late.md` | 124 | 2026-06-30 |  |" in mine.body
    assert mine.body.endswith("<!-- kb-overdue key=owner:jdoe -->")
    assert first[0].title == "kb-overdue: 1 overdue procedure nobody can act for"
    assert first[0].assignees == []

    # The next run, same day: nothing to do; a duplicate and an unrelated issue are ignored.
    issues = [{"number": n, "title": a.title, "body": a.body} for n, a in enumerate(first, 1)]
    issues.append({"number": 9, "title": "x", "body": "<!-- kb-overdue key=owner:jdoe -->"})
    issues.append({"number": 10, "title": "Unrelated bug", "body": ""})
    assert script.plan(stale, issues) == []

    # A day later: updated in place (days overdue changed), never duplicated.
    later = script.plan(_stale_json(mixed_kb, "2026-11-02"), issues)
    assert [(a.kind, a.key, a.number) for a in later] == [
        ("update", "owner:", 1),
        ("update", "owner:jdoe", 2),
    ]
    assert "| 125 |" in later[1].body

    # jdoe reviews KB-0002: nothing of theirs is overdue, the issue is closed.
    path = mixed_kb / "procedures/email/late.md"
    path.write_text(path.read_text().replace("reviewed: 2026-01-01", "reviewed: 2026-11-01"))
    after = script.plan(_stale_json(mixed_kb, TODAY), issues)
    assert [(a.kind, a.key, a.number) for a in after] == [("close", "owner:jdoe", 2)]


def test_per_procedure_issues_keyed_by_id_or_path(mixed_kb: Path) -> None:
    script = _script()
    path = mixed_kb / "procedures/email/late.md"
    path.write_text(path.read_text().replace("id: KB-0002\n", ""))
    stale = _stale_json(mixed_kb, TODAY)
    first = script.plan(stale, [], per_procedure=True)
    assert [(a.kind, a.key) for a in first] == [
        ("create", "procedure:KB-0004"),
        ("create", "procedure:procedures/email/late.md"),
    ]
    late = first[1]
    assert late.title == "kb-overdue: procedures/email/late.md Late one"
    assert late.assignees == ["janedoe", "alansmith"]
    assert "`kbtool review email/late.md`" in late.body
    # an issue filed before the marker existed is found by its title
    old = [{"number": 3, "title": "kb-overdue: KB-0004 Nobody home", "body": "old text"}]
    again = script.plan(stale, old, per_procedure=True)
    assert [(a.kind, a.key, a.number) for a in again] == [
        ("update", "procedure:KB-0004", 3),
        ("create", "procedure:procedures/email/late.md", None),
    ]
    # switching to one issue per owner closes the per-procedure ones
    owners = script.plan(
        stale, [{"number": n, "title": a.title, "body": a.body} for n, a in enumerate(first, 1)]
    )
    assert sorted((a.kind, a.key) for a in owners) == [
        ("close", "procedure:KB-0004"),
        ("close", "procedure:procedures/email/late.md"),
        ("create", "owner:"),
        ("create", "owner:jdoe"),
    ]


def test_new_issues_per_run_are_capped(mixed_kb: Path) -> None:
    script = _script()
    stale = _stale_json(mixed_kb, "2027-06-01")
    capped = script.plan(stale, [], per_procedure=True, max_new=2)
    assert [a.kind for a in capped] == ["create", "create"]
    assert len(script.plan(stale, [], per_procedure=True)) > 2


def test_a_long_list_stays_under_githubs_body_limit() -> None:
    script = _script()
    items = [
        {
            "id": f"KB-{n:04d}",
            "title": "A title long enough to fill a row " * 3,
            "repo_path": f"procedures/folder/article-{n}.md",
            "path": f"folder/article-{n}.md",
            "categories": ["overdue"],
            "days_overdue": 3000 - n,
            "due": "2020-01-01",
        }
        for n in range(2500)
    ]
    group = {"acting_owner": "meerak", "name": "Meera K", "github": "meerak", "procedures": items}
    (action,) = script.plan({"today": "2026-11-23", "groups": [group]}, [])
    assert len(action.body) < 65_536
    assert "more: `kbtool stale --summary` lists them all." in action.body
    assert action.title == "kb-overdue: 2500 procedures of Meera K (meerak) overdue for review"
    assert action.body.index("KB-0000") < action.body.index("KB-0001")  # most overdue first


def test_listing_pages_through_every_open_issue() -> None:
    script = _script()
    page = lambda start: [  # noqa: E731
        {"number": n, "title": f"t{n}", "body": ""} for n in range(start, start + 100)
    ]
    text = json.dumps(page(1)) + json.dumps(page(101)) + "\n" + json.dumps(page(201)[:5])
    text += json.dumps([{"number": 999, "title": "a PR", "pull_request": {}}])
    issues = script.parse_pages(text)
    assert [i["number"] for i in issues] == list(range(1, 206))
    lines = "\n".join(json.dumps(i) for i in page(1)[:3])
    assert [i["number"] for i in script.parse_pages(lines)] == [1, 2, 3]
    assert script.parse_pages("") == []


def test_orphaned_procedures_are_listed_for_the_acting_owner(kb_root: Path) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    path.write_text(path.read_text().replace("owner: jdoe", "owner: gone"))
    script = _script()
    actions = script.plan(_stale_json(kb_root, "2027-06-01"), [])
    assert len(actions) == 1 and actions[0].assignees == ["alansmith"]
    assert "acting for gone (inactive)" in actions[0].body
    (one,) = script.plan(_stale_json(kb_root, "2027-06-01"), [], per_procedure=True)
    assert "The owner is inactive: asmith (@alansmith) is acting owner." in one.body


def test_gitlab_example_in_the_docs() -> None:
    text = (REPO / "docs/ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.gitlab-ci\.yml\n.*?)```", text, re.S)
    assert block is not None
    config = yaml.safe_load(block.group(1))
    assert {"kb-lint", "kb-freshness", "pages"} <= set(config)
    lint = config["kb-lint"]
    assert lint["artifacts"]["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "kbtool-junit.xml",
    }
    assert config["kb-freshness"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "schedule"'
    assert config["pages"]["artifacts"]["paths"] == ["public"]
    variables = config["variables"]
    for job in ("kb-lint", "kb-freshness", "pages"):
        for line in config[job]["script"]:
            if line.startswith("kbtool "):
                line = line.split("||")[0]
                line = re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), "main"), line)
                _parses(shlex.split(line)[1:])
    assert all(code in RULES_BY_CODE for code in variables["DATE_RULES"].split(","))


def _zizmor() -> str:
    found = shutil.which("zizmor") or shutil.which("zizmor", path=str(Path(sys.executable).parent))
    if found is None:  # never skipped: the gates install it (`make install-dev`)
        pytest.fail("zizmor is not installed: run `make install-dev` (pyproject's dev extra)")
    return found


def _docs_workflows() -> list[tuple[str, str]]:
    """The GitHub workflows the docs show (YAML blocks with `jobs:` and `runs-on:`)."""
    found = []
    for page in sorted((REPO / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", text, re.S)):
            if "jobs:" in block and "runs-on:" in block:
                found.append((f"{page.stem}-{number}.yml", block))
    return found


def test_docs_show_a_workflow() -> None:
    assert _docs_workflows(), "docs/publishing.md shows a workflow"


@pytest.mark.parametrize("where", ["shipped", "docs"])
def test_workflows_pass_zizmor(where: str, tmp_path: Path) -> None:
    """zizmor's offline audits (unpinned actions, template injection, credentials left in
    .git, excessive permissions, cache poisoning ...) find nothing of medium or high
    severity in the workflows shipped or shown."""
    folder = WORKFLOWS
    if where == "docs":
        folder = tmp_path / ".github" / "workflows"
        folder.mkdir(parents=True)
        for name, block in _docs_workflows():
            (folder / name).write_text(block, encoding="utf-8")
    done = subprocess.run(
        [_zizmor(), "--offline", "--no-progress", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr  # 1x: findings by severity
    findings = json.loads(done.stdout)
    serious = [
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}"
        for f in findings
        if f["determinations"]["severity"] in ("Medium", "High")
    ]
    assert serious == []
    assert done.returncode == 0, done.stdout
