"""`kbtool serve`: the knowledge base's web server, a thin ASGI shell over the library.

The built site (the MkDocs plugin's output) and a JSON API under `/api/`, from one Starlette
application (`app.create_app`) run by uvicorn (`server.serve`). Each route reads its
parameters, calls one library function (`kbtool.search`), and renders JSON; errors are
rendered once (`errors`). The searcher follows the index on disk (`searchers`), the static
route never leaves the site folder (`static_site`), and every response carries the security
headers (`security`). Nothing here imports Whoosh or MkDocs.

Imports search, site (only what a build published: `site.published`), workflow, lint, model
and core; only the command line imports it.
"""
