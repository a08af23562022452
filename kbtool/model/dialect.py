"""The Markdown dialects of other knowledge bases, expanded once for every reader of a body.

Microsoft Learn (and GitHub) articles carry syntax that CommonMark shows as text: alerts
(`> [!NOTE]`), includes (`[!INCLUDE [title](path)]`), images (`:::image type="content"
source="..." alt-text="...":::`) and `:::no-loc text="...":::`. Each is turned on in
kbtool.toml's `[dialect]` table. `expand` rewrites a body into plain Markdown: includes inlined,
images as Markdown images, no-loc as its text; alerts stay as written for the site, where
markdown-callouts' `github-callouts` extension renders them as admonitions, and
`searchable_text` drops their markers for the index. The site, the search index, snippets and
lint all read the same expansion, so what is searched is what is shown and what is checked.

An include is read only when it is a Markdown file inside the procedures folder (its real
path, every symbolic link followed), through the same bounded read as a procedure; includes
nest at most `MAX_INCLUDE_DEPTH` deep, a cycle is refused, and all of a body's includes
together add at most `max_file_bytes`. What cannot be inlined is left out of the text and
reported as a `DialectProblem` at the directive's line (lint's LN009).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from kbtool.core.fileio import FileTooLargeError, NotRegularFileError, read_regular
from kbtool.model.config import Config, DialectConfig
from kbtool.model.file_scan import is_inside

#: How deep includes may nest (an include inside an include ...): Learn itself allows none.
MAX_INCLUDE_DEPTH = 4

ALERT_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")

_INCLUDE = re.compile(
    r"\[!INCLUDE\s*\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]+)\s*\)\s*\]",
    re.IGNORECASE,
)
_DIRECTIVE = re.compile(r":::(image|no-loc)((?:\s+[\w-]+\s*=\s*\"[^\"]*\")*)\s*:::", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*\"([^\"]*)\"")
_IMAGE_END = re.compile(r"^[ \t>]*:::image-end:::[ \t]*$", re.IGNORECASE)
_ALERT_MARK = re.compile(
    r"^([ \t]*(?:>[ \t]*)+)\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
#: Learn's `> [!div class="..."]` (a styled block: the quote's text is kept, unquoted) and
#: `> [!VIDEO https://...]` (an embedded video: a link to it), read with the alerts.
_DIV_MARK = re.compile(r"^([ \t]*(?:>[ \t]?)*)>[ \t]*\[!div\b[^\]\n]*\][ \t]*$", re.IGNORECASE)
_VIDEO = re.compile(r"\[!VIDEO\s+(https?://[^\s\]<>()]+)\s*\]", re.IGNORECASE)
_VIDEO_LINE = re.compile(
    r"^([ \t]*(?:>[ \t]?)*)>[ \t]*" + _VIDEO.pattern + r"[ \t]*$", re.IGNORECASE
)
_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
_PREFIX = re.compile(r"^[ \t>]*")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Link targets in Markdown an include brings along, rebased to the file including it.
_INLINE_TARGET = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^\s()<>]+)")
_REF_TARGET = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)(<[^>\n]*>|\S+)")
#: Characters that mean something to Markdown, escaped in text that must show as written.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


@dataclass(frozen=True, slots=True)
class Directive:
    """An include or an image of the body itself, with the position of its target."""

    kind: str  # "include" or "image"
    target: str  # as written
    line: int  # 1-based line of the file
    col: int  # 1-based column where the directive starts


@dataclass(frozen=True, slots=True)
class DialectProblem:
    """A directive that could not be expanded, at its line in the procedure's file."""

    kind: str  # "include" or "image"
    message: str
    line: int
    col: int


@dataclass(frozen=True)
class Expansion:
    text: str  # the body as plain Markdown
    directives: tuple[Directive, ...] = ()
    problems: tuple[DialectProblem, ...] = ()
    #: Every file inlined (includes of includes too), relative to the procedures folder: the
    #: search index re-reads the procedure when one of them changes.
    included: tuple[str, ...] = ()


@dataclass
class _State:
    config: Config
    budget: int  # bytes includes may still add
    problems: list[DialectProblem] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    #: The procedure's own include being expanded: its line, column and target as written.
    at: tuple[int, int, str] | None = None
    included: list[str] = field(default_factory=list)


#: The `[dialect]` settings, with what shows that a body is written in each (for `kbtool init`).
DIALECT_SIGNS: dict[str, re.Pattern[str]] = {
    "alerts": _ALERT_MARK,
    "includes": _INCLUDE,
    "images": re.compile(r":::image\s", re.IGNORECASE),
    "no_loc": re.compile(r":::no-loc\s", re.IGNORECASE),
}


def dialects_used(body: str) -> frozenset[str]:
    """The `[dialect]` settings whose syntax `body` holds (code included: a cheap survey)."""
    if "[!" not in body and ":::" not in body:
        return frozenset()
    return frozenset(name for name, sign in DIALECT_SIGNS.items() if sign.search(body))


def uses_dialect(body: str, dialect: DialectConfig) -> bool:
    """Whether `body` may hold syntax of a dialect that is on (a cheap test before `expand`)."""
    return bool(
        ((dialect.alerts or dialect.includes) and "[!" in body)
        or ((dialect.images or dialect.no_loc) and ":::" in body)
    )


def expand(body: str, rel_path: str, first_line: int, config: Config) -> Expansion:
    """`body` (of the procedure at `rel_path`, its first line being line `first_line` of the
    file) with the dialects that are on expanded. Never raises for the content."""
    if not uses_dialect(body, config.dialect):
        return Expansion(body)
    state = _State(config, budget=config.max_file_bytes)
    real = os.path.realpath(config.procedures_dir / rel_path)
    text = _expand_text(body, rel_path, (real,), state, first_line)
    included = tuple(dict.fromkeys(state.included))
    return Expansion(text, tuple(state.directives), tuple(state.problems), included)


def without_directives(body: str, dialect: DialectConfig) -> str:
    """`body` with its `:::image:::` and `:::no-loc:::` directives (when on) blanked, columns
    kept: their attribute values are text, escaped on the site, never HTML."""
    if not (dialect.images or dialect.no_loc) or ":::" not in body:
        return body

    def blank(match: re.Match[str]) -> str:
        on = dialect.images if match.group(1).lower() == "image" else dialect.no_loc
        return " " * len(match.group(0)) if on else match.group(0)

    return _DIRECTIVE.sub(blank, body)


def readable_text(markdown: str, rel_path: str, config: Config) -> str:
    """What a reader of the site sees of `markdown` (a procedure's at `rel_path`, or part of
    it): includes inlined, images and no-loc as their text, alert markers dropped. For the
    search index, snippets and `kbtool show`."""
    return readable_expansion(markdown, rel_path, config)[0]


def readable_expansion(markdown: str, rel_path: str, config: Config) -> tuple[str, tuple[str, ...]]:
    """`readable_text`, and the files it inlined."""
    if not uses_dialect(markdown, config.dialect):
        return markdown, ()
    expansion = expand(markdown, rel_path, 1, config)
    return searchable_text(expansion.text, config.dialect), expansion.included


def searchable_text(text: str, dialect: DialectConfig) -> str:
    """Expanded Markdown without the alert markers (`> [!NOTE]`): the words a reader sees."""
    if not dialect.alerts or "[!" not in text:
        return text
    return _ALERT_MARK.sub(lambda m: m.group(1).rstrip(), text)


def _expand_text(
    text: str,
    rel_path: str,
    chain: tuple[str, ...],
    state: _State,
    first_line: int | None,
) -> str:
    """The text of the file at `rel_path` expanded. `first_line` is set for the procedure's
    own body (its directives and problems are recorded there); None inside an include."""
    dialect = state.config.dialect
    out: list[str] = []
    fence: str | None = None
    unquote: str | None = None  # the prefix of a `> [!div ...]` quote being read
    for index, line in enumerate(text.split("\n")):
        fence, in_code = next_fence(line, fence)
        if in_code:
            out.append(line)
            continue
        line_number = first_line + index if first_line is not None else None
        if unquote is not None:  # in a `> [!div ...]` quote: its lines are no longer quoted
            if line.startswith(unquote + ">"):
                line = unquote + line[len(unquote) + 1 :].removeprefix(" ")
            else:
                unquote = None
        if dialect.alerts and "[!" in line:
            div = _DIV_MARK.match(line)
            if div is not None:  # Learn's `> [!div class="nextstepaction"]`: only a style
                unquote = div.group(1)
                continue
            video = _VIDEO_LINE.match(line)
            if video is not None:  # a quote of its own holds the video: its link, unquoted
                line = video.group(1) + _video_link(video)
            else:
                line = _VIDEO.sub(_video_link, line)
        if (dialect.images or dialect.no_loc) and ":::" in line:
            if dialect.images and _IMAGE_END.match(line):
                continue  # the end of a `type="complex"` image: its description stays
            line = _directives(line, line_number, state)
        if dialect.includes and "[!" in line:
            included = _includes(line, rel_path, chain, state, line_number)
            if included is not None:
                out.extend(included)
                continue
        out.append(line)
    return "\n".join(out)


def _video_link(match: re.Match[str]) -> str:
    return f"[Watch the video]({match.group(match.lastindex or 1)})"


def next_fence(line: str, fence: str | None) -> tuple[str | None, bool]:
    """The fence open after `line` (given the one open before it), and whether `line` is
    code (a fence line or inside one). As CommonMark: a fence closes only on a line of the
    same character, at least as long, with nothing after it (` ```powershell ` opens; it does
    not close), and a backtick fence's info string holds no backtick."""
    match = _FENCE.match(line)
    if fence is not None:
        if (
            match is not None
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence)
            and not line[match.end() :].strip()
        ):
            return None, True
        return fence, True
    if match is None:
        return None, False
    run = match.group(1)
    if run[0] == "`" and "`" in line[match.end() :]:
        return None, False  # ```code``` is a code span in a paragraph, not a fence
    return run, True


def _code_spans(line: str) -> list[tuple[int, int]]:
    """The spans of `line` that are code (`` `...` ``), where no directive is read."""
    if "`" not in line:
        return []
    return [(m.start(), m.end()) for m in _CODE_SPAN.finditer(line)]


def _in_code(spans: list[tuple[int, int]], start: int) -> bool:
    return any(begin <= start < end for begin, end in spans)


def _directives(line: str, line_number: int | None, state: _State) -> str:
    dialect = state.config.dialect
    code = _code_spans(line)

    def replace(match: re.Match[str]) -> str:
        kind = match.group(1).lower()
        if _in_code(code, match.start()):
            return match.group(0)
        attributes = {k.lower(): v for k, v in _ATTRIBUTE.findall(match.group(2))}
        if kind == "no-loc":
            return (
                markdown_literal(attributes.get("text", "")) if dialect.no_loc else match.group(0)
            )
        if not dialect.images:
            return match.group(0)
        source = attributes.get("source", "").strip()
        if line_number is not None:
            state.directives.append(Directive("image", source, line_number, match.start() + 1))
        if not source or any(ch in source for ch in "<>") or not _linkable(source):
            if line_number is not None:
                said = f"source {source!r} is not a path" if source else "no source"
                state.problems.append(
                    DialectProblem(
                        "image", f"image has {said}: not shown", line_number, match.start() + 1
                    )
                )
            return ""
        alt = attributes.get("alt-text", "")
        image_type = attributes.get("type", "content").lower()
        if not alt.strip() and image_type != "icon" and line_number is not None:
            state.problems.append(
                DialectProblem(
                    "image",
                    f"image '{source}' has no alt-text: readers who cannot see it get nothing",
                    line_number,
                    match.start() + 1,
                )
            )
        shown = f"<{source}>" if any(ch.isspace() or ch in "()" for ch in source) else source
        image = f"![{markdown_literal(alt)}]({shown})"
        lightbox = attributes.get("lightbox", "").strip()
        if (
            lightbox
            and lightbox == lightbox.split()[0]
            and not any(c in lightbox for c in "<>()")
            and _linkable(lightbox)
        ):
            image = f"[{image}]({lightbox})"
        return image

    return _DIRECTIVE.sub(replace, line)


def _linkable(target: str) -> bool:
    """A relative path or a web address: never `javascript:`, `data:` or `file:`."""
    return not _SCHEME.match(target) or target.lower().startswith(("http://", "https://"))


def markdown_literal(text: str) -> str:
    """`text` as Markdown that shows exactly `text` (one line; HTML as text)."""
    text = " ".join(text.split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _includes(
    line: str,
    rel_path: str,
    chain: tuple[str, ...],
    state: _State,
    line_number: int | None,
) -> list[str] | None:
    """The lines that replace `line` when it holds includes (None when it holds none)."""
    code = _code_spans(line)
    matches = [m for m in _INCLUDE.finditer(line) if not _in_code(code, m.start())]
    if not matches:
        return None
    texts: list[str] = []
    for match in matches:
        if line_number is not None:
            state.directives.append(
                Directive("include", match.group(2), line_number, match.start() + 1)
            )
        texts.append(_include(match, rel_path, chain, state, line_number))
    if len(matches) == 1:
        before, after = line[: matches[0].start()], line[matches[0].end() :]
        if _PREFIX.fullmatch(before) and not after.strip():
            # On a line of its own (in a list item or a quote): a block, under the same prefix.
            prefix = before
            return [
                prefix + part if part.strip() else prefix.rstrip() for part in texts[0].split("\n")
            ]
    # Inside a paragraph: the included text, run into the line.
    pieces: list[str] = []
    position = 0
    for match, included in zip(matches, texts, strict=True):
        pieces.append(line[position : match.start()])
        pieces.append(" ".join(part.strip() for part in included.split("\n") if part.strip()))
        position = match.end()
    pieces.append(line[position:])
    return ["".join(pieces)]


def _include(
    match: re.Match[str],
    rel_path: str,
    chain: tuple[str, ...],
    state: _State,
    line_number: int | None,
) -> str:
    """The expanded text of one include, rebased to `rel_path`'s folder; "" when refused."""
    written = match.group(2)
    if line_number is not None:  # the procedure's own directive: problems below are said here
        state.at = (line_number, match.start() + 1, written)
    text, problem = _read_include(written, rel_path, chain, state)
    if problem is not None and state.at is not None:
        line, col, top = state.at
        if line_number is None:  # inside an included file
            problem = f"in include '{top}': {problem}"
        state.problems.append(DialectProblem("include", problem, line, col))
    return text


def _read_include(
    written: str, rel_path: str, chain: tuple[str, ...], state: _State
) -> tuple[str, str | None]:
    """The include's text, expanded and rebased, or "" and why it was refused."""
    config = state.config
    target = written[1:-1] if written.startswith("<") and written.endswith(">") else written
    target = unquote(target.split("#", 1)[0].split("?", 1)[0]).strip()
    if not target or target.startswith(("/", "\\")) or _SCHEME.match(target):
        return "", f"include '{written}' must be a path relative to this file"
    included = posixpath.normpath(posixpath.join(posixpath.dirname(rel_path), target))
    if included == ".." or included.startswith("../"):
        return "", f"include '{written}' points outside the knowledge base: not read"
    if not included.lower().endswith(".md"):
        return "", f"include '{written}' is not a Markdown file"
    path = config.procedures_dir / included
    if os.path.lexists(path) and not is_inside(config.procedures_dir, path):
        return "", (
            f"include '{written}' is a symbolic link leading outside the knowledge base: not read"
        )
    real = os.path.realpath(path)
    if real in chain:
        names = [_shown(config, p) for p in (*chain, real)]
        return "", "include cycle: " + " → ".join(names)
    if len(chain) > MAX_INCLUDE_DEPTH:
        return "", f"includes nest more than {MAX_INCLUDE_DEPTH} deep: '{written}' not read"
    try:
        data, _stat = read_regular(path, config.max_file_bytes)
    except FileNotFoundError:
        return "", f"include '{written}' does not exist"
    except FileTooLargeError:
        return "", f"include '{written}' is over max_file_bytes: not read"
    except NotRegularFileError as exc:
        return "", f"include '{written}' is a {exc.kind}, not a regular file: not read"
    except OSError as exc:
        return "", f"include '{written}' cannot be read: {exc.strerror or exc}"
    if len(data) > state.budget:
        return "", f"includes add more than max_file_bytes ({config.max_file_bytes:,}) to it"
    state.budget -= len(data)
    state.included.append(included)
    if b"\x00" in data:
        return "", f"include '{written}' is not text"
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _without_front_matter(text).strip("\n")
    if state.at is not None:  # its links are checked here: an include is not a procedure
        line, col, top = state.at
        for message in _broken_targets(text, included, config):
            state.problems.append(
                DialectProblem("include", f"in include '{top}': {message}", line, col)
            )
    expanded = _expand_text(text, included, (*chain, real), state, None)
    return rebase(expanded, posixpath.dirname(included), posixpath.dirname(rel_path)), None


def _broken_targets(text: str, rel_path: str, config: Config) -> list[str]:
    """What is wrong with the relative links and images of the included file at `rel_path`
    (as `kbtool lint` checks a procedure's: LN001, LN003)."""
    from kbtool.model.markdown_scan import scan_body  # only for a body with includes

    targets = [link.target for link in scan_body(text).links]
    if config.dialect.images and ":::" in text:
        for match in _DIRECTIVE.finditer(text):
            if match.group(1).lower() == "image":
                attributes = {k.lower(): v for k, v in _ATTRIBUTE.findall(match.group(2))}
                targets.append(attributes.get("source", ""))
    problems: list[str] = []
    folder = posixpath.dirname(rel_path)
    for written in targets:
        target = written.strip().removeprefix("<").removesuffix(">")
        path = unquote(re.split(r"[#?]", target, maxsplit=1)[0])
        if not path or target.startswith(("/", "\\")) or _SCHEME.match(target):
            continue
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved == ".." or resolved.startswith("../"):
            problems.append(f"link '{written}' in {rel_path} points outside the knowledge base")
        elif not os.path.exists(config.procedures_dir / resolved):
            problems.append(f"link target '{written}' in {rel_path} does not exist")
    return problems


def _shown(config: Config, real: str) -> str:
    root = os.path.realpath(config.procedures_dir)
    return os.path.relpath(real, root).replace(os.sep, "/")


def _without_front_matter(text: str) -> str:
    if not text.startswith("---\n"):
        return text
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    return text[4 + end.end() :] if end else text


def rebase(text: str, source_folder: str, target_folder: str) -> str:
    """`text`'s relative link targets, written in `source_folder`, as seen from
    `target_folder` (both relative to the procedures folder, forward slashes)."""
    if source_folder == target_folder or "](" not in text and "]:" not in text:
        return text

    def moved(target: str) -> str:
        bracketed = target.startswith("<") and target.endswith(">")
        bare = target[1:-1] if bracketed else target
        if not bare or bare.startswith(("/", "#", "\\")) or _SCHEME.match(bare):
            return target
        cut = re.search(r"[#?]", bare)
        path, rest = (bare[: cut.start()], bare[cut.start() :]) if cut else (bare, "")
        if not path:
            return target
        joined = posixpath.normpath(posixpath.join(source_folder, path))
        new = posixpath.relpath(joined, target_folder or ".") + rest
        return f"<{new}>" if bracketed else new

    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        fence, in_code = next_fence(line, fence)
        if not in_code:
            line = _INLINE_TARGET.sub(lambda m: m.group(1) + moved(m.group(2)), line)
            line = _REF_TARGET.sub(lambda m: m.group(1) + moved(m.group(2)), line)
        out.append(line)
    return "\n".join(out)


def absolute_links_to(text: str, base_url: str) -> str:
    """`text` with its absolute link targets (`/powershell/...`, not `//host/...`) led to
    `base_url`, the site they were written for."""
    if "](/" not in text and "]: /" not in text and "]:/" not in text:
        return text

    def moved(match: re.Match[str]) -> str:
        target = match.group(2)
        bracketed = target.startswith("<") and target.endswith(">")
        bare = target[1:-1] if bracketed else target
        if not bare.startswith("/") or bare.startswith("//"):
            return match.group(0)
        new = base_url + bare
        return match.group(1) + (f"<{new}>" if bracketed else new)

    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        fence, in_code = next_fence(line, fence)
        if not in_code and "/" in line:
            line = _REF_TARGET.sub(moved, _INLINE_TARGET.sub(moved, line))
        out.append(line)
    return "\n".join(out)
