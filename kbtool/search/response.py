"""The JSON of a search: one shape for `kbtool search --json` and the web API's `/api/search`.

Both call `search_json`, so a script reading the CLI and a ticketing tool reading the API see
the same keys, in the same ranking. The keys of PRODUCT.md's `kbtool search --json` (`query`,
`results` with `id`, `path`, `title`, `summary`, `score`, `snippet`, `owner`, `overdue`) are
kept as they were; everything else is added beside them:

- `corrected_query`: the query searched instead of the one typed ("showing results for …"),
  or null when the words were searched as typed; `did_you_mean`: other spellings to try when
  nothing matched; `total`: how many procedures matched in all; `notes`: what was done to the
  query (cut, only common words...).
- per hit: `url` (its page on the published site, relative to the site's root; null when no
  site is known), `status`, `service`, `exact` (matched by id or error code), the people
  (`owner` answers for it today; `recorded_owner`, `backup`, `acting_owner`, `owner_away` and
  `orphan_reason` say why), `review_status`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kbtool.search.searcher import SearchHit, SearchResponse

#: A hit's page on the site, from its path under the procedures folder (None: not published).
UrlFor = Callable[[str], "str | None"]


def hit_json(hit: SearchHit, url_for: UrlFor | None = None) -> dict[str, Any]:
    """One result. `owner` is who answers for it today (the backup when the owner is away)."""
    return {
        "id": hit.id,
        "path": hit.path,
        "title": hit.title,
        "summary": hit.summary,
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
        "owner": hit.owner,
        "overdue": hit.overdue,
        "url": url_for(hit.path) if url_for is not None else None,
        "status": hit.status,
        "service": hit.service,
        "exact": hit.exact,
        "owner_name": hit.owner_name,
        "recorded_owner": hit.recorded_owner,
        "backup": hit.backup,
        "acting_owner": hit.owner,
        "owner_away": hit.orphaned,
        "orphan_reason": hit.orphan_reason,
        "review_status": hit.review_status,
    }


def search_json(
    response: SearchResponse,
    *,
    url_for: UrlFor | None = None,
    filters: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The whole answer: the query, what was searched instead, the ranked hits."""
    return {
        "query": response.query,
        "corrected_query": response.corrected_query,
        "did_you_mean": list(response.did_you_mean),
        "filters": {k: v for k, v in (filters or {}).items() if v},
        "total": response.total,
        "notes": list(response.notes),
        "results": [hit_json(hit, url_for) for hit in response.results],
    }
