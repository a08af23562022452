"""`kbtool new`: a new procedure from the template, with the next free id.

Ids are never reused, so the next id comes after the highest one ever issued, retired
procedures included; the zero-padding of existing ids is kept (`KB-0042` -> `KB-0043`). The id
is taken under a lock (see `create_procedure`), so parallel runs never share one, and the new
file is created exclusively: an existing file is never overwritten, even by a race.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import fcntl
import json
import os
import re
import subprocess
import textwrap
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template

import yaml

from kbtool.core.errors import UsageError
from kbtool.core.fileio import locked_temp_beside, new_file_mode, read_regular, remove_stale_temps
from kbtool.lint.findings import Severity
from kbtool.model.config import KNOWN_FIELDS, Config
from kbtool.model.file_scan import is_inside
from kbtool.model.knowledge_base import KnowledgeBase, list_files
from kbtool.model.procedure import format_date, load_procedure
from kbtool.model.roster import Roster
from kbtool.model.template import GENERIC_GUIDANCE, GUIDANCE

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_ID_KEY_LINE = re.compile(r"""^(?P<key>[^\s:#]+)[ \t]*:[ \t]*["']?(?P<value>[^"'#\s]+)""", re.M)
_PATTERN_SHAPE = re.compile(
    r"^\^?(?P<prefix>(?:[A-Za-z0-9_/ ]|-|\\[-.#_/])*)"
    r"(?:\\d|\[0-9\])(?:\{(?P<width>\d+)(?:,\d*)?\}|\+|\*)?\$?$"
)


@dataclass
class NewProcedure:
    """The front matter of a procedure to create (canonical field names)."""

    id: str
    title: str
    service: str
    owner: str | None
    summary: str | None = None
    tags: list[str] = field(default_factory=list)
    audience: str = "L1"
    status: str = "draft"
    backup: str | None = None
    reviewed: dt.date | None = None
    escalate_to: str | None = None
    error_codes: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)


# --- ids ------------------------------------------------------------------------------------


def issued_ids(kb: KnowledgeBase) -> list[str]:
    """Every id in the knowledge base, retired procedures and unparsable files included."""
    ids = [p.id for p in kb.procedures if p.id is not None]
    key = kb.config.source_key("id")
    for procedure in kb.procedures:
        if procedure.id is None and procedure.issues:
            # A file whose front matter does not parse still holds its id: never reissue it.
            try:
                data, _stat = read_regular(procedure.path, 4096, head=True)  # never it all
                head = data.decode("utf-8", "replace")
            except OSError:
                continue
            for match in _ID_KEY_LINE.finditer(head):
                if match.group("key").strip("'\"") == key:
                    ids.append(match.group("value"))
                    break
    return ids


def next_free_id(existing: Iterable[str], id_pattern: str) -> str:
    """The id after the highest numbered one, keeping its prefix and zero-padding width.

    With no ids yet, the prefix and width are read from the pattern (`KB-\\d{4}` -> KB-0001).
    """
    regex = re.compile(id_pattern)
    numbered: list[tuple[str, int, int]] = []  # (prefix, number, width)
    for ident in existing:
        if not regex.fullmatch(ident):
            continue
        match = re.fullmatch(r"(.*?)(\d+)", ident)
        if match:
            numbered.append((match.group(1), int(match.group(2)), len(match.group(2))))
    if numbered:
        prefix = Counter(p for p, _, _ in numbered).most_common(1)[0][0]
        same = [(n, w) for p, n, w in numbered if p == prefix]
        number = max(n for n, _ in same) + 1
        width = max(w for _, w in same)
    else:
        shape = _PATTERN_SHAPE.match(id_pattern)
        if shape is None:
            raise UsageError(
                f"cannot work out a first id from id_pattern {id_pattern!r}; pass --id"
            )
        prefix = re.sub(r"\\(.)", r"\1", shape.group("prefix"))
        number, width = 1, int(shape.group("width") or 1)
    candidate = f"{prefix}{number:0{width}d}"
    if not regex.fullmatch(candidate):
        raise UsageError(
            f"the next id {candidate!r} does not match id_pattern {id_pattern!r} "
            "(the numbers have run out?); pass --id"
        )
    return candidate


# --- who is writing -------------------------------------------------------------------------


def git_user_email(cwd: Path) -> str | None:
    """`git config user.email` as seen from `cwd`, or None (no git, not set)."""
    try:
        done = subprocess.run(
            ["git", "config", "user.email"], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    email = done.stdout.strip()
    return email if done.returncode == 0 and email else None


def default_owner(roster: Roster | None, email: str | None) -> str | None:
    """The roster handle of the author, when their git email is in the roster."""
    if roster is None or not email:
        return None
    person = roster.by_email(email)
    return person.handle if person is not None else None


# --- rendering ------------------------------------------------------------------------------


def file_slug(title: str, max_length: int = 60) -> str:
    """A file name stem from a title: ASCII, lower case, words joined by hyphens."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "procedure"


def default_path(config: Config, new: NewProcedure, folder: str | None = None) -> Path:
    """`procedures/<folder or service>/<title-slug>.md`; a folder that leads out of the
    procedures folder (`..`, an absolute path, a link) is refused: nothing would find the file."""
    sub = folder if folder is not None else file_slug(new.service)
    inside = config.procedures_dir / sub
    if not is_inside(config.procedures_dir, inside):
        raise UsageError(
            f"folder {sub!r} is not inside the procedures folder ({config.procedures_dir}): "
            "give a sub-folder such as email, or --path for a file elsewhere"
        )
    return inside / f"{file_slug(new.title)}.md"


def require_markdown(path: Path) -> None:
    """A procedure is a `.md` file: lint, the index and the site read nothing else."""
    if path.suffix != ".md":
        raise UsageError(
            f"{path.name}: a procedure is a Markdown file ending in .md (lint, search and the"
            " site read nothing else)"
        )


def render_procedure(new: NewProcedure, config: Config, display_path: str = "") -> str:
    """The text of the new procedure: front matter in the usual field order, then the body."""
    values: dict[str, object] = {
        "id": new.id,
        "title": new.title,
        "summary": new.summary or "",
        "service": new.service,
        "tags": new.tags,
        "audience": new.audience,
        "status": new.status,
        "owner": new.owner,
        "backup": new.backup,
        "reviewed": new.reviewed,
        "escalate_to": new.escalate_to,
        "error_codes": new.error_codes,
        "related": new.related,
    }
    lines = []
    for name in KNOWN_FIELDS:
        if name not in values:
            continue
        value = values[name]
        key = config.source_key(name)
        key_text = key if _PLAIN_KEY.fullmatch(key) else json.dumps(key)
        rendered = _yaml_value(value, config, always_quote=name == "error_codes")
        lines.append(f"{key_text}: {rendered}".rstrip())
    template = Template(
        resources.files("kbtool.workflow")
        .joinpath("templates/procedure.md")
        .read_text(encoding="utf-8")
    )
    return template.substitute(
        front_matter="\n".join(lines),
        title=new.title,
        path=display_path or "procedures/...",
        sections="\n\n".join(_section(title) for title in _section_titles(config)),
    )


def _section_titles(config: Config) -> list[str]:
    titles = list(config.required_sections)
    if config.steps_section.lower() not in (t.lower() for t in titles):
        titles.append(config.steps_section)
    return titles


def _section(title: str) -> str:
    guidance, placeholder = GUIDANCE.get(title.strip().lower(), GENERIC_GUIDANCE)
    comment = textwrap.fill(guidance, width=96, initial_indent="<!-- ", subsequent_indent="     ")
    return f"## {title}\n\n{comment} -->\n\n{placeholder}"


def _yaml_value(value: object, config: Config, *, always_quote: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        text = format_date(value, config.date_formats[0])
        return text if _plain_ok(text, expect_date=True) else json.dumps(text)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(str(v), always_quote) for v in value) + "]"
    return _scalar(str(value), always_quote)


def _scalar(text: str, always_quote: bool = False) -> str:
    if not always_quote and _plain_ok(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str, *, expect_date: bool = False) -> bool:
    """Whether `text` written unquoted reads back as the same string (or date)."""
    if not text or text != text.strip() or any(c in text for c in "\n\r\t"):
        return False
    if text[0] in "[]{},&*!|>'\"%@`#" or ": " in text or " #" in text or text.startswith("- "):
        return False
    try:
        loaded = yaml.safe_load(f"k: {text}")
    except yaml.YAMLError:
        return False
    value = loaded.get("k") if isinstance(loaded, dict) else None
    if expect_date:
        return isinstance(value, dt.date | str)
    return isinstance(value, str) and value == text


def check_new(new: NewProcedure, kb: KnowledgeBase) -> None:
    """Refuse, with a message saying what to change, what `kbtool lint` would reject.

    These checks name the problem precisely (did-you-mean, the id taken); `lint_new` then
    runs lint's own rules over the rendered file for everything else.
    """
    config, roster = kb.config, kb.roster
    for name, option in OPTIONS.items():
        value = getattr(new, name)
        if value is None or value == [] or isinstance(value, dt.date):
            continue
        problem = field_problem(name, value, config)
        if problem is not None:
            raise UsageError(f"{option}: {problem}; {_NOTHING_WRITTEN}")
    if not config.id_regex.fullmatch(new.id):
        raise UsageError(f"id {new.id!r} does not match id_pattern {config.id_pattern!r}")
    taken = {ident.casefold(): ident for ident in issued_ids(kb)}
    if new.id.casefold() in taken:
        same = taken[new.id.casefold()]
        case = "" if same == new.id else f" as {same!r} (ids are compared ignoring case)"
        raise UsageError(f"id {new.id!r} is already taken{case} (ids are never reused)")
    if not new.title.strip():
        raise UsageError("the title is empty")
    if config.services and new.service not in config.services:
        hint = _did_you_mean(new.service, config.services)
        raise UsageError(
            f"service {new.service!r} is not in the service catalogue{hint} "
            f"(known: {', '.join(config.services)})"
        )
    for role, handle in (("owner", new.owner), ("backup", new.backup)):
        if handle and roster is not None and roster.person(handle) is None:
            hint = _did_you_mean(handle, list(roster.people))
            raise UsageError(f"{role} {handle!r} is not in the roster{hint}")
    if new.owner and new.backup and new.owner == new.backup:
        raise UsageError("the backup must be someone other than the owner")
    if (
        new.escalate_to
        and roster is not None
        and not roster.knows_escalation_target(new.escalate_to)
    ):
        raise UsageError(
            f"escalate_to {new.escalate_to!r} is not a role, team or person of the roster"
        )
    known = set(issued_ids(kb))
    for ident in new.related:
        if ident not in known:
            raise UsageError(f"related id {ident!r} does not exist")


def person_problem(
    role: str, handle: str, kb: KnowledgeBase, owner: str | None = None
) -> str | None:
    """What is wrong with `handle` as the owner or the backup, asked for one answer at a
    time: not in the roster (with the nearest handle), no longer active, the owner again."""
    roster = kb.roster
    if roster is None:
        return None
    person = roster.person(handle)
    if person is None:
        return f"{handle!r} is not in the roster{_did_you_mean(handle, list(roster.people))}"
    if not person.active:
        return f"{handle!r} has left (active: false in the roster); choose someone active"
    if role == "backup" and owner is not None and handle == owner:
        return "the backup must be someone other than the owner"
    return None


def services_in_use(kb: KnowledgeBase) -> list[str]:
    """The configured services, else those the procedures use, sorted."""
    if kb.config.services:
        return list(kb.config.services)
    return sorted({p.service for p in kb.procedures if p.service}, key=str.lower)


def service_problem(service: str, kb: KnowledgeBase) -> tuple[str | None, str | None]:
    """(a problem, a near service) for `service`: one that exists but is written differently
    (`printing` for `Printing`), or a new one close to one in use (`Printers`); (None, None)
    when it is in use."""
    known = services_in_use(kb)
    if service in known:
        return None, None
    by_case = {k.lower(): k for k in known}
    if service.lower() in by_case:
        same = by_case[service.lower()]
        return f"the service is written {same!r}", same
    close = difflib.get_close_matches(service.lower(), list(by_case), n=1, cutoff=0.6)
    if close:
        near = by_case[close[0]]
        return f"{service!r} is not a service in use (did you mean {near!r}?)", near
    return f"{service!r} is a new service", None


#: The `kbtool new` option that sets each field, for messages about a refused value.
OPTIONS = {
    "id": "--id",
    "title": "--title",
    "summary": "--summary",
    "service": "--service",
    "tags": "--tag",
    "audience": "--audience",
    "status": "--status",
    "owner": "--owner",
    "backup": "--backup",
    "reviewed": "--reviewed",
    "escalate_to": "--escalate-to",
    "error_codes": "--error-code",
    "related": "--related",
}
_NOTHING_WRITTEN = "nothing was written"


def field_problem(name: str, value: object, config: Config) -> str | None:
    """What `kbtool lint` would say about `value` as field `name`, or None when it is fine.

    The value is written as `kbtool new` writes it and read back by the procedure loader, so
    the rules are exactly lint's (control and bidirectional characters, types, allowed
    values); a line break is refused too: every field is one line (a title is also the H1).
    """
    from kbtool.lint.formatters import visible
    from kbtool.model.procedure import Procedure, parse_text

    items = value if isinstance(value, list) else [value]
    if any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in items):
        return "must be one line (no line breaks)"
    key = config.source_key(name)
    key_text = key if _PLAIN_KEY.fullmatch(key) else json.dumps(key)
    front = f"{key_text}: {_yaml_value(value, config, always_quote=name == 'error_codes')}"
    procedure = Procedure(path=Path("new.md"), rel_path="new.md")
    parse_text(procedure, f"---\n{front}\n---\n".encode(), config)
    for issue in procedure.issues:
        return visible(issue.message)
    return None


def lint_new(
    text: str, path: Path, kb: KnowledgeBase, today: dt.date, cwd: Path | None = None
) -> None:
    """Refuse `text`, the file `kbtool new` is about to write at `path`, when `kbtool lint`
    would report an error in it; the message names the option that set each bad value."""
    from kbtool.lint.engine import lint_candidate
    from kbtool.lint.formatters import visible
    from kbtool.lint.selection import RuleSelection
    from kbtool.model.procedure import Procedure, parse_text

    config = kb.config
    try:
        rel = path.resolve().relative_to(config.procedures_dir.resolve()).as_posix()
    except ValueError:
        rel = path.name
    procedure = Procedure(path=path, rel_path=rel)
    parse_text(procedure, text.encode("utf-8"), config)
    selection = RuleSelection.from_config(config)
    findings = lint_candidate(procedure, kb, today, selection=selection, cwd=cwd)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return
    keys = {line: key for key, line in procedure.key_lines.items()}
    fields = {key: name for name, key in procedure.field_sources.items()}
    lines = []
    for finding in errors:
        name = fields.get(keys.get(finding.line, ""))
        if name in OPTIONS:
            where = OPTIONS[name]
        elif finding.line <= procedure.front_matter_end_line:
            where = "the new procedure"  # about the whole front matter: a field left out
        else:
            where = f"line {finding.line} of the new procedure"
        lines.append(f"{where}: {visible(finding.message)} ({finding.code})")
    raise UsageError("; ".join(lines) + f"; {_NOTHING_WRITTEN}")


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- writing --------------------------------------------------------------------------------


_EXISTS = "file already exists (kbtool new never overwrites); choose another title or --path"
#: How long to wait for another `kbtool new` to finish taking its id.
ID_LOCK_WAIT_SECONDS = 30.0


@contextlib.contextmanager
def id_lock(config: Config) -> Iterator[None]:
    """Hold the lock that lets one `kbtool new` at a time take an id.

    The lock is an `flock` on the procedures folder itself: every process that can create a
    procedure can open that folder, and no lock file is left in it (or in a cache folder that
    another user of the same knowledge base would not share).
    """
    try:
        fd = os.open(config.procedures_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(
            f"cannot open the procedures folder to take an id: {exc.strerror or exc}",
            path=str(config.procedures_dir),
        ) from None
    try:
        deadline = time.monotonic() + ID_LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise UsageError(
                        "another `kbtool new` has been taking an id for "
                        f"{ID_LOCK_WAIT_SECONDS:.0f} s; try again, or pass --id",
                        path=str(config.procedures_dir),
                    ) from None
                time.sleep(0.01)
            except OSError as exc:  # a file system without locks
                raise UsageError(
                    f"cannot lock the procedures folder to take an id ({exc.strerror or exc}); "
                    "pass --id",
                    path=str(config.procedures_dir),
                ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def refreshed(kb: KnowledgeBase) -> KnowledgeBase:
    """`kb` with the procedures added or changed on disk since it was loaded read again."""
    files, walk_issues = list_files(kb.config)
    loaded = {procedure.path: procedure for procedure in kb.procedures}
    procedures = []
    for path, rel in files:
        known = loaded.get(path)
        try:
            info = path.stat()
        except OSError:
            info = None
        if (
            known is not None
            and info is not None
            and ((info.st_mtime_ns, info.st_size) == (known.mtime_ns, known.size))
        ):
            procedures.append(known)
        else:
            procedures.append(load_procedure(path, rel, kb.config))
    return dataclasses.replace(kb, procedures=procedures, files=files, walk_issues=walk_issues)


def create_procedure(
    kb: KnowledgeBase,
    new: NewProcedure,
    path: Path,
    render: Callable[[NewProcedure], str],
    *,
    id_given: bool,
) -> NewProcedure:
    """Take the next free id (unless one was given) and create `path`, under the id lock.

    Parallel runs take turns: each one reads the ids in use again once it holds the lock
    (another run may just have created a file), checks `new` against them, and creates its
    file before letting the next one in, so no two files ever get the same id. Returns the
    procedure as created (with its id).
    """
    with id_lock(kb.config):
        current = refreshed(kb)
        if not id_given:
            new = dataclasses.replace(
                new, id=next_free_id(issued_ids(current), kb.config.id_pattern)
            )
        check_new(new, current)
        create_exclusive(path, render(new))
    return new


def create_exclusive(path: Path, text: str) -> None:
    """Create `path` with `text`; refuse when it exists. Never leaves a half-written file.

    The content goes to a temporary file first, which is then hard-linked into place: the link
    fails if the name was taken meanwhile, so even a race cannot overwrite anything.
    """
    if path.exists() or path.is_symlink():
        raise UsageError(_EXISTS, path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path)
        handle, tmp_name = locked_temp_beside(path)
    except OSError as exc:
        raise UsageError(f"cannot create file: {exc.strerror or exc}", path=str(path)) from None
    try:
        with os.fdopen(handle, "wb") as tmp:
            tmp.write(text.encode("utf-8"))
            tmp.flush()
            os.fsync(tmp.fileno())
            os.fchmod(tmp.fileno(), new_file_mode())
            os.link(tmp_name, path)
            os.unlink(tmp_name)  # before the lock goes with the descriptor
    except FileExistsError:
        raise UsageError(_EXISTS, path=str(path)) from None
    except OSError as exc:
        raise UsageError(f"cannot create file: {exc.strerror or exc}", path=str(path)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
