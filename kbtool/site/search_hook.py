"""kbtool's search in Material's search box: the page script, and what stays out of search.

Every page gets `<script src=".../assets/kbtool/search.js">` right after Material's `__config`
(the JSON that names Material's search worker) and before Material's own script, which reads
that JSON when it starts: search.js points it at kbtool's worker (`search-worker.js`). This is
done on the built HTML, not by overriding a theme template, so that a site's own `custom_dir`
`main.html` (the usual way to customise Material) cannot silently lose it. A page without
`__config` (another theme) is left as it is.

Listing pages (Material's tags index) are kept out of search like kbtool's generated pages,
whose templates say `search: exclude` themselves.
"""

from __future__ import annotations

import html
import re

SEARCH_SCRIPT = "assets/kbtool/search.js"
#: Beside Material's worker, so that the paths Material's worker resolves from its own
#: location (its language files) are the same when kbtool's worker loads it.
SEARCH_WORKER = "assets/javascripts/workers/kbtool-search.js"

_CONFIG = re.compile(r"<script\s+id=\"__config\"[^>]*>.*?</script>", re.DOTALL)
#: Material's own script, whose URL prefix (`../../`, `/`) kbtool's script shares.
_BUNDLE = re.compile(r"<script\s+src=\"([^\"]*?)assets/javascripts/bundle\.[^\"]*\"")
#: Material's tags plugin writes its listing where a page holds this marker.
_LISTING_MARKERS = ("<!-- material/tags",)


def add_search_script(page_html: str) -> str:
    """`page_html` with kbtool's search script after Material's `__config` (once).

    Its URL is made like Material's own script's (relative on a page, absolute on the 404
    page, which MkDocs renders for any depth).
    """
    match = _CONFIG.search(page_html)
    bundle = _BUNDLE.search(page_html)
    if match is None or bundle is None or SEARCH_SCRIPT in page_html[match.end() : bundle.end()]:
        return page_html
    url = bundle.group(1) + SEARCH_SCRIPT
    tag = f'\n<script src="{html.escape(url, quote=True)}"></script>'
    return page_html[: match.end()] + tag + page_html[match.end() :]


def listing_page(markdown: str) -> bool:
    """True for a page that only lists others (Material's tags index): not a search result."""
    return any(marker in markdown for marker in _LISTING_MARKERS)
