"""What the routes of one server process share, opened by the app's lifespan.

`ServerState` holds the knowledge base's configuration, the searcher holder and the site
folder. Searches run one at a time per process, on the event loop itself (`searching`): a
search is a few milliseconds of pure CPU, so a worker thread could not run it alongside the
loop anyway (the GIL), and handing each search to one cost more than the search: under load
the loop and the thread queued for the GIL behind each other (at 8 clients, 25,000
procedures: up to twice the answers a second inline, and a third of the p95). Whoosh's
searcher, which is not made for concurrent use, never sees two searches at once. Several
processes (`--workers`) search in parallel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from starlette.requests import Request

from kbtool.events import EventWriter
from kbtool.model.config import Config
from kbtool.web.errors import ApiError
from kbtool.web.searchers import IndexUnavailable, SearcherHolder
from kbtool.web.site_info import SiteFolder

if TYPE_CHECKING:
    from kbtool.search import KbSearcher

T = TypeVar("T")


@dataclass
class ServerState:
    config: Config
    holder: SearcherHolder
    site: SiteFolder
    #: Queues the events to record; None when `[events] enabled` is off.
    events: EventWriter | None = None
    #: (the index's signature, its procedure names) for checking events' procedures; read
    #: again only when the index changed, so that checking an event costs no search.
    procedure_names: tuple[object, dict[str, str]] | None = None


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.kbtool
    return state


async def searching(request: Request, work: Callable[[KbSearcher], T]) -> T:
    """`work(searcher)`, with the searcher of the index as it is now."""
    state = server_state(request)
    try:
        with state.holder.lease() as searcher:
            return work(searcher)
    except IndexUnavailable as exc:
        raise ApiError(
            503, f"search is unavailable: {exc.message}", retry_after_seconds=5
        ) from None
