"""Whoosh is imported without loading urllib.request or asyncio, and leaves no stand-ins."""

from __future__ import annotations

import subprocess
import sys


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
        "False", "False", "True", "True", "True", "False", "True", "True"
    ]
