"""A search regression set from real searches: the desk's own phrasings and what solved them.

A case is a query agents typed on the site, and the procedure they opened from its results and
then marked "Did this solve it? Yes" (the page sends the search's `search_id` with the answer).
A query counts once per search, so one agent clicking twice is one vote; a pair needs
`min_clicks` such searches to become a case, and a query that led to several procedures keeps
the one that solved it most often. Queries are grouped without regard to case and spacing; the
case keeps the phrasing typed most often. The result is the JSON-lines format `kbtool eval`
reads, so CI can guard search quality with the desk's words (`kbtool eval FILE --min-mrr`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from kbtool.events.model import RESULT_OPENED, SEARCH, SOLVED
from kbtool.model.config import Config
from kbtool.workflow.event_source import load_events


@dataclass(frozen=True)
class RegressionCase:
    query: str
    target: str
    clicks: int


def regression_cases(
    config: Config, *, min_clicks: int = 2
) -> tuple[list[RegressionCase], str | None]:
    """The cases the events support, most clicked first; and the store's problem, if any."""
    loaded = load_events(config, [SEARCH, RESULT_OPENED, SOLVED])
    queries: dict[str, str] = {}
    opened: dict[str, set[str]] = defaultdict(set)
    solved: dict[str, set[str]] = defaultdict(set)
    for event in loaded.events:
        if not event.search_id:
            continue
        if event.kind == SEARCH and event.query and event.results:
            queries[event.search_id] = event.query
        elif event.kind == RESULT_OPENED and event.procedure:
            opened[event.search_id].add(event.procedure)
        elif event.kind == SOLVED and event.solved and event.procedure:
            solved[event.search_id].add(event.procedure)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    phrasings: dict[str, Counter[str]] = defaultdict(Counter)
    for search_id, query in queries.items():
        key = " ".join(query.lower().split())
        for procedure in opened[search_id] & solved[search_id]:
            votes[key][procedure] += 1
            phrasings[key][" ".join(query.split())] += 1
    cases = []
    for key, targets in votes.items():
        target, clicks = min(targets.items(), key=lambda item: (-item[1], item[0]))
        if clicks >= min_clicks:
            phrasing = min(phrasings[key].items(), key=lambda item: (-item[1], item[0]))[0]
            cases.append(RegressionCase(phrasing, target, clicks))
    cases.sort(key=lambda c: (-c.clicks, c.query))
    return cases, loaded.problem


def render_cases(cases: list[RegressionCase]) -> str:
    return "".join(
        json.dumps({"query": c.query, "target": c.target, "clicks": c.clicks}, ensure_ascii=False)
        + "\n"
        for c in cases
    )
