"""The `kbtool` MkDocs plugin: a thin shell over `kbtool.site`.

Each event delegates: `on_files` loads and lints the knowledge base (`model.load_site`) and adds
the procedures (real files outside docs_dir) and the images and documents beside them
(`model.assets`), the generated pages (`pages`), kbtool's search scripts and `site.json`
(`published`, for `kbtool serve`); `on_page_read_source` reads a
procedure through kbtool's gate, never MkDocs itself; `on_page_markdown` swaps a procedure's
Markdown for the escaped title, summary and error codes and its body read in the configured
Markdown dialects (`card`, `model.dialect`) and keeps listing pages out of
search; `on_page_content` sanitises the HTML of a procedure's body (`sanitise`); `on_post_page`
adds the banners and the card and loads kbtool's search script before Material's
(`search_hook`); `on_serve` watches the procedures folder, the roster and kbtool's
configuration.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from kbtool.core.errors import KbtoolError
from kbtool.core.fileio import read_regular
from kbtool.lint.findings import Severity
from kbtool.lint.selection import check_config_codes
from kbtool.model.assets import iter_assets, svg_is_safe
from kbtool.model.config import Config, load_config
from kbtool.model.file_scan import Refused, is_inside, listed_path, walk_procedures
from kbtool.model.issues import IssueKind
from kbtool.site.card import (
    escalation_anchor,
    feedback_html,
    inject,
    layout,
    page_meta,
    procedure_markdown,
)
from kbtool.site.config import KbtoolPluginConfig
from kbtool.site.fit import fit_tables
from kbtool.site.model import ProcedurePage, Site, build_date, load_site
from kbtool.site.pages import generated_pages
from kbtool.site.published import SITE_JSON, site_json
from kbtool.site.sanitise import sanitise_html, sanitise_toc
from kbtool.site.search_hook import SEARCH_SCRIPT, SEARCH_WORKER, add_search_script, listing_page
from kbtool.site.watching import watched_paths

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.kbtool")

CSS_URI = "assets/kbtool/kbtool.css"
#: The Python-Markdown extension (markdown-callouts) that renders GitHub and Learn alerts.
ALERTS_EXTENSION = "github-callouts"
#: "Did this solve it?" and "Report a problem" on procedure pages, the page view.
FEEDBACK_SCRIPT = "assets/kbtool/feedback.js"
#: Where Material's tags plugin puts its index of every tag.


class KbtoolPlugin(BasePlugin[KbtoolPluginConfig]):  # type: ignore[no-untyped-call]
    """Publishes kbtool's procedures with metadata cards, banners and generated pages."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.kb_config: Config | None = None
        self.site: Site | None = None
        self._urls: dict[str, str] = {}  # src_uri -> URL of each procedure's page
        self._escalation: dict[str, str | None] = {}  # src_uri -> the escalation's anchor
        self._generated: set[str] = set()  # src_uri of the generated pages

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        config_dir = Path(config.config_file_path or ".").resolve().parent
        try:
            self.today = build_date(cast("str | dt.date | None", self.config.today), os.environ)
        except ValueError as exc:
            raise PluginError(f"kbtool: {exc}") from None
        try:
            self.kb_config = load_config(
                config_file=Path(self.config.config_file) if self.config.config_file else None,
                procedures=Path(self.config.procedures) if self.config.procedures else None,
                cwd=config_dir,
            )
            check_config_codes(self.kb_config)  # with lint off too: the CLI refuses them
        except KbtoolError as exc:
            raise PluginError(f"kbtool: {exc.located()}") from None
        self.config_dir = config_dir
        self._refuse_folder_links(Path(config.docs_dir).resolve())
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if self.kb_config.dialect.alerts and ALERTS_EXTENSION not in config.markdown_extensions:
            # `> [!NOTE]` as an admonition: markdown-callouts' extension, on every page, so
            # the docs pages can use the syntax the procedures do.
            config.markdown_extensions.append(ALERTS_EXTENSION)
        if FEEDBACK_SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(FEEDBACK_SCRIPT)
        return config

    def _refuse_folder_links(self, docs_dir: Path) -> None:
        """Stop the build when MkDocs itself would walk out of the knowledge base.

        With the procedures folder inside docs_dir, MkDocs lists docs_dir itself, following
        every link: a link to `/` or to a folder above would have it walk the whole disk
        before any plugin can step in. Files are dropped later (`on_files`); folders cannot be.
        """
        assert self.kb_config is not None
        procedures = self.kb_config.procedures_dir
        if not (docs_dir == procedures or docs_dir in procedures.parents):
            return
        refused: list[Refused] = []
        for _batch in walk_procedures(str(procedures), tuple(self.kb_config.exclude), refused):
            pass
        for item in refused:
            if item.kind is IssueKind.OUTSIDE and item.folder:
                raise PluginError(
                    f"kbtool: {item.path}: {item.message}. The procedures folder is inside"
                    " docs_dir, where MkDocs would follow the link itself"
                )

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.kb_config is not None
        docs_dir = Path(config.docs_dir).resolve()
        procedures_dir = self.kb_config.procedures_dir
        inside_docs = docs_dir == procedures_dir or docs_dir in procedures_dir.parents
        prefix = self.config.url_prefix
        if inside_docs:
            prefix = procedures_dir.relative_to(docs_dir).as_posix()
        try:
            self.site = load_site(
                self.kb_config,
                self.today,
                prefix="" if prefix == "." else prefix,
                run_lint=self.config.lint,
                fail_on=Severity.parse(self.config.fail_on),
                info_rules=self.config.info_rules,
                cwd=self.config_dir,
                baseline_file=Path(self.config.baseline) if self.config.baseline else None,
            )
        except KbtoolError as exc:
            raise PluginError(f"kbtool: {exc.located()}") from None
        for message in self.site.messages:
            log.log(message.level, message.text)
        if inside_docs:  # MkDocs found the procedures itself, refused entries among them
            self._drop_refused(files)
        # Files.get_file_from_path rebuilds its index after every append: look up once.
        existing = {file.src_uri: file for file in files}
        for src_uri, page in self.site.pages.items():
            self._add_procedure(
                files, existing.get(src_uri), config, src_uri, str(page.procedure.path), docs_dir
            )
        if not inside_docs:  # else MkDocs found the files beside the procedures itself
            self._add_assets(files, existing, config, "" if prefix == "." else prefix, docs_dir)
        generated: dict[str, str] = generated_pages(self.site) if self.config.generate_pages else {}
        generated[CSS_URI] = _package_text("templates/kbtool.css")
        generated[SEARCH_SCRIPT] = _package_text("templates/search.js")
        generated[FEEDBACK_SCRIPT] = _package_text("templates/feedback.js")
        generated[SEARCH_WORKER] = _package_text("templates/search-worker.js")
        for src_uri, content in generated.items():
            if src_uri in existing:
                log.warning(f"kbtool: {config.docs_dir}/{src_uri} exists; not generating it")
                continue
            files.append(File.generated(config, src_uri, content=content))
            self._generated.add(src_uri)
        by_uri = {file.src_uri: file for file in files}
        urls = {
            page.procedure.rel_path: by_uri[src_uri].url
            for src_uri, page in self.site.pages.items()
            if src_uri in by_uri
        }
        description = site_json(
            urls,
            prefix="" if prefix == "." else prefix,
            directory_urls=config.use_directory_urls,
            built=dt.datetime.now(dt.UTC),
        )
        files.append(File.generated(config, SITE_JSON, content=description))
        self._urls = {
            src_uri: by_uri[src_uri].url for src_uri in self.site.pages if src_uri in by_uri
        }
        return files

    def _add_assets(
        self,
        files: Files,
        existing: dict[str, File],
        config: MkDocsConfig,
        prefix: str,
        docs_dir: Path,
    ) -> None:
        """Publish the images and documents beside the procedures (`model.assets`), under the
        same prefix, so that the links lint checked lead to them on the site too."""
        assert self.kb_config is not None
        for rel, path in iter_assets(self.kb_config):
            src_uri = posixpath.join(prefix, rel) if prefix else rel
            if src_uri in existing:
                log.warning(f"kbtool: {config.docs_dir}/{src_uri} exists; not publishing {rel}")
                continue
            if rel.lower().endswith(".svg") and not _safe_svg(path, self.kb_config):
                log.warning(
                    f"kbtool: {rel} is not published: the SVG holds script or event handlers"
                )
                continue
            file = File(src_uri, str(docs_dir), config.site_dir, config.use_directory_urls)
            file.abs_src_path = path
            files.append(file)

    def _drop_refused(self, files: Files) -> None:
        """Keep under the procedures folder only regular files inside it: MkDocs must neither
        read nor copy a link leaving it (to a file, or everything under a folder link), a pipe
        or a device. Procedures are reported by lint (FI008, FI009); other files here."""
        assert self.kb_config is not None
        root = str(self.kb_config.procedures_dir)
        for file in list(files):
            source = file.abs_src_path
            if source is None or not listed_path(source).startswith(root + os.sep):
                continue
            if is_inside(root, source) and os.path.isfile(source):
                continue
            files.remove(file)
            if not source.endswith(".md"):
                log.warning(
                    f"kbtool: {file.src_uri} is not published: it is not a regular file inside"
                    " the procedures folder"
                )

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """A procedure's source as kbtool reads it, so MkDocs never opens the file itself: a
        regular file inside the procedures folder, at most `max_file_bytes` (else nothing)."""
        procedure_page = self.site.pages.get(page.file.src_uri) if self.site else None
        if procedure_page is None or self.kb_config is None:
            return None
        return procedure_source(procedure_page.procedure.path, self.kb_config)

    def _add_procedure(
        self,
        files: Files,
        existing: File | None,
        config: MkDocsConfig,
        src_uri: str,
        path: str,
        docs_dir: Path,
    ) -> None:
        if existing is not None:
            if existing.abs_src_path and os.path.samefile(existing.abs_src_path, path):
                return  # the procedures folder is inside docs_dir: MkDocs found it already
            log.warning(f"kbtool: {src_uri} is a docs page and a procedure; using the procedure")
            files.remove(existing)
        file = File(src_uri, str(docs_dir), config.site_dir, config.use_directory_urls)
        # A real file outside docs_dir, so edit links and git-date plugins find the source.
        file.abs_src_path = path
        file.edit_uri = posixpath.relpath(Path(path).as_posix(), docs_dir.as_posix())
        files.append(file)

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.site is None:
            return markdown
        procedure_page = self.site.pages.get(page.file.src_uri)
        if procedure_page is None:
            if listing_page(markdown):
                # Material's tags index matched nearly every search: it lists every tag.
                page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
            return markdown
        page.meta = page_meta(procedure_page, search_boost=self.config.search_boost)
        return procedure_markdown(procedure_page, fallback_body=markdown, config=self.kb_config)

    # First, before other plugins add HTML of their own: only the body's HTML is sanitised.
    @event_priority(100)
    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.site is None:
            return html
        if page.file.src_uri in self._generated:
            return fit_tables(html)
        procedure_page = self.site.pages.get(page.file.src_uri)
        if procedure_page is None:
            return html  # docs/ pages are the site's own; generated pages are escaped
        if not self.site.config.site.allow_raw_html:
            sanitise_toc(page.toc)
            html = sanitise_html(html)
        self._escalation[page.file.src_uri] = escalation_anchor(procedure_page, page.toc)
        laid_out = layout(html, procedure_page, page.toc, self.site.config.steps_section)
        return laid_out + feedback_html(procedure_page)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        output = add_search_script(output)
        procedure_page = self.site.pages.get(page.file.src_uri) if self.site else None
        if procedure_page is None:
            return output

        def url(target: ProcedurePage) -> str:
            found = self._urls.get(target.src_uri)
            return get_relative_url(found, page.url) if found is not None else ""

        return inject(output, procedure_page, url, self._escalation.get(page.file.src_uri))

    def on_post_template(
        self, output_content: str, /, *, template_name: str, config: MkDocsConfig
    ) -> str | None:
        # The theme's own pages (404.html) have a search box too.
        return add_search_script(output_content) if template_name.endswith(".html") else None

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        if self.kb_config is not None:
            for path, recursive in watched_paths(self.kb_config):  # never .kbtool/
                server.watch(path, recursive=recursive)
        return server


def procedure_source(path: Path, config: Config) -> str:
    """The text of the procedure file at `path`, through the same gate as every other read
    (`file_scan.is_inside`, `fileio.read_regular`); "" when it is not to be read."""
    try:
        if not is_inside(config.procedures_dir, path):
            return ""
        data, _stat = read_regular(path, config.max_file_bytes)
    except OSError:
        return ""
    return data.decode("utf-8-sig", errors="replace")


def _safe_svg(path: str, config: Config) -> bool:
    try:
        data, _stat = read_regular(Path(path), config.max_file_bytes)
    except OSError:
        return False
    return svg_is_safe(data)


def _package_text(name: str) -> str:
    from importlib.resources import files as package_files

    return (package_files("kbtool.site") / name).read_text(encoding="utf-8")
