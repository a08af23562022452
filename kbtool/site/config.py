"""The kbtool MkDocs plugin's options (`plugins: - kbtool: {...}` in mkdocs.yml)."""

from __future__ import annotations

import datetime as dt

from mkdocs.config import base
from mkdocs.config import config_options as c

from kbtool.site.model import STATE_RULES


class KbtoolPluginConfig(base.Config):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """Every option is optional: by default the plugin finds kbtool.toml like `kbtool lint`."""

    #: kbtool.toml (or pyproject.toml) to use instead of discovery from mkdocs.yml's folder.
    config_file = c.Optional(c.File(exists=True))
    #: The procedures folder, overriding the configured one (like `kbtool --procedures`).
    procedures = c.Optional(c.Dir(exists=True))
    #: Judge freshness as of this date (YYYY-MM-DD), like `kbtool --today`. Default: the
    #: KBTOOL_TODAY environment variable, else today.
    today = c.Optional(c.Type((str, dt.date)))
    #: Where procedures are published: `procedures/<path in the procedures folder>`.
    url_prefix = c.Type(str, default="procedures")
    #: Run kbtool's lint rules during the build and report findings as build messages.
    lint = c.Type(bool, default=True)
    #: Findings at or above this severity are MkDocs warnings (so `--strict` fails on them).
    fail_on = c.Choice(("error", "warning"), default="error")
    #: Rules about a procedure's state today (overdue, orphaned...): shown as banners on the
    #: page and logged as info, never failing the build. `kbtool lint` still fails CI on them.
    info_rules = c.ListOfItems(c.Type(str), default=list(STATE_RULES))
    #: A lint baseline (`kbtool lint --baseline FILE --update-baseline`), relative to
    #: mkdocs.yml: the findings it holds are logged as info, so an adopted knowledge base's
    #: known findings do not fail `--strict`; new ones still do.
    baseline = c.Optional(c.File(exists=True))
    #: Material's per-page search boost for procedure pages (docs pages have 1).
    search_boost = c.Type((int, float), default=2)
    #: Generate the pages by service, owners and the review dashboard.
    generate_pages = c.Type(bool, default=True)
