"""The layering of the package, kept by reading every module's imports (README, "Repository
layout"): each layer imports only the layers below it, nothing imports the command line, Whoosh
is imported only in kbtool/search/ and MkDocs only in kbtool/site/.

Imports are read with `ast`, so those inside functions count, and so do `import_module("...")`
calls with a constant (or f-string) module name. An `if TYPE_CHECKING:` block of imports only
names types: the third-party rules let it through; the layer rules do not (a layer that needs
another's types depends on it).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kbtool"

#: Each layer (a folder of kbtool/) and the layers it may import besides itself.
LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "model": frozenset({"core"}),
    "lint": frozenset({"model", "core"}),
    "search": frozenset({"model", "core"}),
    # The knowledge loop's events store: beside search, on the model.
    "events": frozenset({"model", "core"}),
    "workflow": frozenset({"events", "lint", "model", "core"}),
    # The review dashboard shows the feedback figures `workflow` computes from events.
    "site": frozenset({"workflow", "events", "lint", "model", "core"}),
    # The server reads what the site published about itself (`site.published`, no MkDocs).
    "web": frozenset({"events", "search", "site", "workflow", "lint", "model", "core"}),
    "cli": frozenset({"web", "events", "search", "site", "workflow", "lint", "model", "core"}),
}
#: Modules at the top of the package: the version (imports nothing, anyone may import it) and
#: `python -m kbtool` (the command line).
TOP_MODULES = {"kbtool": "version", "kbtool.__main__": "cli"}
#: Third-party packages kept inside one layer.
CONFINED = {"whoosh": "search", "mkdocs": "site", "sqlalchemy": "events", "psycopg": "events"}


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name
    line: int
    types_only: bool  # inside an `if TYPE_CHECKING:` block of imports only


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """The layer of `kbtool.x.y...`: its folder, or the role of a top-level module."""
    if module in TOP_MODULES:
        return TOP_MODULES[module]
    return module.split(".")[1]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _names_types_only(block: ast.If) -> bool:
    return _is_type_checking(block.test) and all(
        isinstance(s, ast.Import | ast.ImportFrom | ast.Pass) for s in block.body
    )


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _dynamic_name(node: ast.Call) -> str | None:
    """The module `import_module("a.b")` or `import_module(f"a.b.{x}")` names (its constant
    part), else None."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value.rstrip(".")
    return None


def imports(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every import in `source` (the module `module`), wherever it is in the file."""
    tree = ast.parse(source)
    types_only_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _names_types_only(node):
            types_only_lines.update(s.lineno for s in node.body)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, is_package)
            # `from kbtool import lint` imports the package kbtool.lint
            names = [f"{base}.{alias.name}" if base == "kbtool" else base for alias in node.names]
        elif isinstance(node, ast.Call) and (dynamic := _dynamic_name(node)) is not None:
            names = [dynamic]
        else:
            continue
        found.extend(Import(n, node.lineno, node.lineno in types_only_lines) for n in names)
    return found


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """What `module` (e.g. `kbtool.model.config`) imports that its layer may not."""
    own = layer_of(module)
    allowed = {own, "version"} | LAYERS.get(own, frozenset())
    if own == "cli":
        allowed |= set(LAYERS)
    problems = []
    for item in imports(source, module, is_package=is_package):
        top = item.module.split(".")[0]
        if top == "kbtool":
            version = item.module in ("kbtool", "kbtool.__version__")
            target = "version" if version else layer_of(item.module)
            if target not in allowed:
                problems.append(
                    f"{module}:{item.line}: the {own} layer imports {item.module} ({target})"
                )
        elif top in CONFINED and CONFINED[top] != own and not item.types_only:
            problems.append(
                f"{module}:{item.line}: imports {item.module} outside kbtool/{CONFINED[top]}/"
            )
    return problems


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


MODULES = package_modules()


def test_the_package_is_found() -> None:
    names = {module_name(p) for p in MODULES}
    assert len(MODULES) > 50
    assert {"kbtool.model.config", "kbtool.lint.engine", "kbtool.cli"} <= names


def test_every_folder_of_the_package_is_a_layer() -> None:
    """A new folder of kbtool/ must take its place in LAYERS (and the README's table)."""
    folders = {p.relative_to(PACKAGE).parts[0] for p in MODULES if p.parent != PACKAGE}
    assert folders <= set(LAYERS), f"not a layer: {sorted(folders - set(LAYERS))}"
    top = {module_name(p) for p in MODULES if p.parent == PACKAGE}
    assert top <= set(TOP_MODULES), (
        f"module at the top of kbtool/: {sorted(top - set(TOP_MODULES))}"
    )


def test_the_version_module_imports_nothing_of_kbtool() -> None:
    assert not [
        i
        for i in imports((PACKAGE / "__init__.py").read_text("utf-8"), "kbtool")
        if i.module.startswith("kbtool")
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    problems = violations(source, module_name(path), is_package=path.name == "__init__.py")
    assert not problems, "\n".join(problems)


# --- the checker itself: each forbidden import is caught, each allowed one let through ---------

CASES = [
    # (module, source, the fragment a violation says, or None when allowed)
    ("kbtool.model.config", "from kbtool.lint.rules import RULES", "model layer imports"),
    ("kbtool.model.config", "def f():\n    from kbtool.lint import rules\n", "kbtool.lint (lint)"),
    ("kbtool.model.config", "import kbtool.lint.findings", "kbtool.lint.findings (lint)"),
    ("kbtool.model.config", "from kbtool import lint", "kbtool.lint (lint)"),
    ("kbtool.model.config", "from ..lint.rules import RULES", "kbtool.lint.rules (lint)"),
    ("kbtool.model.config", "import_module('kbtool.search.searcher')", "kbtool.search.searcher"),
    ("kbtool.model.config", "from kbtool.core.errors import ConfigError", None),
    ("kbtool.model.config", "from .procedure import Procedure", None),
    ("kbtool.model", "from . import config", None),
    ("kbtool.core.fileio", "from kbtool.model.config import Config", "core layer imports"),
    ("kbtool.core.fileio", "from kbtool import __version__", None),
    ("kbtool.lint.engine", "from kbtool.search.searcher import Searcher", "(search)"),
    ("kbtool.lint.engine", "from kbtool.workflow.vcs import changed_files", "(workflow)"),
    ("kbtool.lint.formatters", "import_module(f'kbtool.lint.formatters.{n}_format')", None),
    ("kbtool.lint.formatters", "import_module(f'kbtool.cli.{n}')", "(cli)"),
    ("kbtool.search.indexer", "from kbtool.lint.rules import RULES", "(lint)"),
    ("kbtool.search.indexer", "from kbtool.workflow.vcs import changed_files", "(workflow)"),
    ("kbtool.workflow.scaffold", "from kbtool.lint.engine import lint", None),
    ("kbtool.workflow.scaffold", "from kbtool.search.searcher import Searcher", "(search)"),
    ("kbtool.workflow.scaffold", "from kbtool.site.model import Site", "(site)"),
    ("kbtool.site.model", "from kbtool.lint.engine import lint", None),
    ("kbtool.site.model", "from kbtool.search import searcher", "(search)"),
    ("kbtool.site.model", "from kbtool.workflow import vcs", None),
    ("kbtool.site.model", "from kbtool.search import searcher", "(search)"),
    ("kbtool.workflow.feedback_report", "from kbtool.site import pages", "(site)"),
    ("kbtool.events.store", "from kbtool.workflow import usage_report", "(workflow)"),
    ("kbtool.events.store", "import sqlalchemy", None),
    ("kbtool.workflow.event_source", "import sqlalchemy", "outside kbtool/events"),
    ("kbtool.site.model", "from kbtool.web.app import app", "(web)"),
    ("kbtool.web.app", "from kbtool.search.searcher import Searcher", None),
    ("kbtool.web.app", "from kbtool.workflow.health_report import build_report", None),
    ("kbtool.web.app", "from kbtool.site.published import read_published", None),
    ("kbtool.web.app", "from kbtool.cli import main", "(cli)"),
    ("kbtool.search.searcher", "from kbtool.web import app", "(web)"),
    ("kbtool.cli.serve_cmd", "from kbtool.web.app import app", None),
    ("kbtool.cli.lint_cmd", "from kbtool.site.model import load_site", None),
    ("kbtool.__main__", "from kbtool.cli import main", None),
    ("kbtool.search.searcher", "import whoosh.index", None),
    ("kbtool.lint.engine", "import whoosh", "imports whoosh outside kbtool/search/"),
    ("kbtool.cli.search_cmd", "def f():\n    from whoosh import index\n", "outside kbtool/search"),
    ("kbtool.site.plugin", "from mkdocs.plugins import BasePlugin", None),
    ("kbtool.lint.engine", "from mkdocs.plugins import BasePlugin", "outside kbtool/site/"),
    ("kbtool.cli", "import_module('mkdocs.commands.build')", "outside kbtool/site/"),
    (
        "kbtool.web.app",
        "import typing\nif typing.TYPE_CHECKING:\n    from mkdocs.structure import Page\n",
        None,
    ),
    (
        "kbtool.web.app",
        "if TYPE_CHECKING:\n    from mkdocs import config\n    config.load()\n",
        "outside kbtool/site/",
    ),
    (
        "kbtool.web.app",
        "if TYPE_CHECKING:\n    pass\nelse:\n    import mkdocs\n",
        "outside kbtool/site/",
    ),
    (
        "kbtool.model.config",
        "if TYPE_CHECKING:\n    from kbtool.lint.rules import Rule\n",
        "(lint)",
    ),
]


@pytest.mark.parametrize(("module", "source", "expected"), CASES)
def test_the_checker(module: str, source: str, expected: str | None) -> None:
    is_package = PACKAGE.joinpath(*module.split(".")[1:]).is_dir()
    problems = violations(source, module, is_package=is_package)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems
