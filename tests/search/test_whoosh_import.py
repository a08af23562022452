"""Whoosh is imported without loading urllib.request or asyncio, and leaves no stand-ins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_search_package_imports_without_urllib_request_or_asyncio() -> None:
    code = (
        "import sys\n"
        "import kbtool.search\n"
        "print('urllib.request' in sys.modules, 'asyncio' in sys.modules)\n"
        "import urllib.request, asyncio\n"
        "print(callable(urllib.request.urlopen), callable(asyncio.run))\n"
        "from whoosh.compat import urlretrieve\n"
        "print(callable(urlretrieve), 'whoosh.lang.morph_en' in sys.modules)\n"
        "import whoosh.query.terms as terms\n"
        "print(len(terms.variations('render')) > 1, 'whoosh.lang.morph_en' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [
        "False",
        "False",
        "True",
        "True",
        "True",
        "False",
        "True",
        "True",
    ]


def test_whoosh_is_used_only_inside_the_search_package() -> None:
    """The rest of kbtool (linter, site, reports, CLI) never touches Whoosh directly."""
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "kbtool"
    importing = re.compile(r"^\s*(?:from|import)\s+whoosh\b", re.MULTILINE)
    outside = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "search" not in path.relative_to(package).parts[:1]
        and importing.search(path.read_text(encoding="utf-8"))
    ]
    assert outside == []
    inside = [p for p in (package / "search").rglob("*.py") if importing.search(p.read_text())]
    assert inside  # the pattern does find Whoosh imports where they are


def test_a_command_line_search_does_not_import_numpy(search_kb, config) -> None:  # noqa: ANN001
    """numpy's ranking is for the server; on one search its import costs more than it saves."""
    from kbtool.search import build_index

    build_index(config)
    code = (
        "import sys\n"
        "from kbtool.cli import main\n"
        "try:\n"
        "    main(['search', 'printer', 'offline'], standalone_mode=False)\n"
        "finally:\n"
        "    print('numpy' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=search_kb, check=True
    )
    assert "printer" in done.stdout.lower()
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_a_command_line_search_records_without_sqlalchemy(search_kb: Path, config) -> None:  # noqa: ANN001
    from kbtool.search import build_index

    build_index(config)
    code = (
        "import sys\n"
        "from kbtool.cli import main\n"
        "try:\n"
        "    main(['search', 'printer', 'offline'], standalone_mode=False)\n"
        "finally:\n"
        "    print('sqlalchemy' in sys.modules, file=sys.stderr)\n"
    )

    def search() -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=search_kb, check=True
        )
        return done.stderr.strip().splitlines()[-1]

    assert search() == "True"  # the first search creates the store, through SQLAlchemy
    assert search() == "False"  # later ones append with the standard library
    from kbtool.events import open_store

    store = open_store(config)
    try:
        assert [e.query for e in store.events()] == ["printer offline", "printer offline"]
    finally:
        store.close()
