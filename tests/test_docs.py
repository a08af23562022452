"""Documentation that must not drift from the code: the rules reference and --help texts."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from kbtool.cli import COMMAND_MODULES, main
from kbtool.lint.rules import RULES
from tests.conftest import RunCli

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = ".venv/bin/kbtool rules --format markdown > docs/reference/rules.md"


def test_rules_reference_is_generated_from_the_rules(run_cli: RunCli) -> None:
    result = run_cli("rules", "--format", "markdown")
    assert result.exit_code == 0
    committed = (ROOT / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")
    assert committed == result.output, (
        f"docs/reference/rules.md is out of date; regenerate it with: {REGENERATE}"
    )


def test_rules_reference_lists_every_code(run_cli: RunCli) -> None:
    output = run_cli("rules").output
    assert [line.split()[0] for line in output.splitlines()] == [r.code for r in RULES]


def commands() -> list[tuple[str, click.Command]]:
    """`kbtool` and every command, from COMMAND_MODULES: the commands load lazily, so at
    collection time `main.commands` is still empty and would list `kbtool` alone."""
    context = click.Context(main)
    found: list[tuple[str, click.Command]] = [("", main)]
    for name in sorted(COMMAND_MODULES):
        command = main.get_command(context, name)
        assert command is not None, f"{COMMAND_MODULES[name]} does not define `kbtool {name}`"
        found.append((name, command))
        if isinstance(command, click.Group):
            found.extend((f"{name} {sub}", c) for sub, c in sorted(command.commands.items()))
    return found


COMMANDS = commands()


def test_every_command_is_checked() -> None:
    assert [name for name, _ in COMMANDS[1:]] == sorted(COMMAND_MODULES)
    assert len(COMMANDS) > 10


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n or "kbtool" for n, _ in COMMANDS])
def test_every_command_has_help_with_an_example(
    run_cli: RunCli, name: str, command: click.Command
) -> None:
    result = run_cli(*name.split(), "--help")
    output = result.output
    assert result.exit_code == 0, output
    assert "Example" in output, f"`kbtool {name} --help` shows no example"
    assert f"kbtool {name}".strip() in output.split("Example", 1)[1]
    assert command.help and command.help.strip().split("\n")[0].endswith((".", ":"))


@pytest.mark.parametrize("name", sorted(COMMAND_MODULES))
def test_every_command_is_in_the_readme_tour(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"kbtool {name}" in readme, f"README.md does not show `kbtool {name}`"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_has_a_summary_and_a_fix_hint(rule: object) -> None:
    doc = rule.doc  # type: ignore[attr-defined]
    summary = rule.summary  # type: ignore[attr-defined]
    assert summary and summary.endswith(".") and len(summary) <= 200, summary
    assert "Fix:" in doc, f"{rule.code} docstring gives no `Fix:` hint"  # type: ignore[attr-defined]


def test_rule_names_are_kebab_case_and_unique() -> None:
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names)
    assert all(n == n.lower() and " " not in n and "_" not in n for n in names)


def test_every_command_module_registers_the_commands_it_is_listed_for() -> None:
    import importlib

    from kbtool.cli import COMMAND_MODULES, main

    for name, module in COMMAND_MODULES.items():
        importlib.import_module(f"kbtool.cli.{module}")
        assert name in main.commands, f"{module} does not define `kbtool {name}`"
    assert set(main.commands) == set(COMMAND_MODULES), "a command is missing from COMMAND_MODULES"


def test_search_start_up_does_not_import_the_linter() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from kbtool.cli import main; main.get_command(None, 'search'); "
        "print('kbtool.lint.engine' in sys.modules, 'kbtool.lint.formatters' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_searching_page_documents_every_search_option() -> None:
    """docs/searching.md is what agents read: an option added to `kbtool search` goes there."""
    import kbtool.cli.search_cmd  # noqa: F401 - registers the search commands

    page = (ROOT / "docs" / "searching.md").read_text(encoding="utf-8")
    search = main.commands["search"]
    options = [
        opt
        for param in search.params
        if isinstance(param, click.Option)
        for opt in param.opts + param.secondary_opts
        if opt.startswith("--")
    ]
    assert "--service" in options and "--json" in options
    missing = [opt for opt in options if f"`{opt}" not in page]
    assert not missing, f"docs/searching.md does not mention {missing}"
