"""`kbtool init`: adopt an existing folder of Markdown without rewriting it.

Scans the files' front matter, counts the keys in use, and proposes the configuration that
reads them as they are: aliases for keys that mean one of kbtool's fields (`ms.author` is the
owner, `ms.date` the review date, in the date format the values are written in), the other
keys as `extra`, required fields and sections the files can meet, and a roster skeleton with
one person per owner found. Files are only ever created, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.core.display import json_visible, one_line
from kbtool.core.errors import UsageError
from kbtool.model.config import (
    AUDIENCES,
    KNOWN_FIELDS,
    STATUSES,
    Config,
)
from kbtool.model.issues import FRONT_MATTER_UNREAD
from kbtool.model.keys import FOREIGN_KEYS, typo_of
from kbtool.model.knowledge_base import iter_markdown_files
from kbtool.model.procedure import load_procedure

#: The date formats looked for in the review-date key, most common first. `%m/%d/%Y` and
#: `%d/%m/%Y` read the same text when both parts are 12 or less: the values decide.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%b %d, %Y",
)
#: A key is a likely typo, reported rather than allowed, when it is a near-miss of a key used by
#: five times as many files (`ms.reviwer` next to `ms.reviewer`), or, used by fewer files than
#: this share, of one of kbtool's fields.
_TYPO_SHARE = 0.02
#: A field kbtool requires by default is kept required when this share of files has it.
_REQUIRED_SHARE = 0.9
#: A section of the content standard is required when at least this share of the files has it.
_SECTION_REQUIRED_SHARE = 0.8
_DEFAULT_SECTIONS = ("Symptoms", "Resolution", "Escalation")
#: Unreadable files the report names (lint names them all).
MAX_UNREADABLE_LISTED = 10
#: Fields aliased only from a key most files have: a few files' `ms.service` is no catalogue.
_WHOLE_BASE_ONLY = ("service", "tags")
#: The syntax of each `[dialect]` kbtool can read, as it shows in a body (how many files use
#: each decides which `kbtool init` turns on).
DIALECT_SIGNS: dict[str, re.Pattern[str]] = {
    "alerts": re.compile(r"^[ \t]*>[ \t]*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.I | re.M),
    "includes": re.compile(r"\[!INCLUDE\s*\[", re.I),
    "images": re.compile(r":::image\s", re.I),
    "no_loc": re.compile(r":::no-loc\s", re.I),
}
#: A Markdown link to a path absolute on some other site (`[x](/powershell/module/...)`).
_ABSOLUTE_LINK = re.compile(r"\]\((/[^)\s/][^)\s]*)")
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


@dataclass
class KeyUse:
    key: str
    files: int
    meaning: str = ""  # "owner (alias)", "kbtool's own", "extra", "typo of ms.reviewer?"


@dataclass
class Adoption:
    """What `kbtool init` found in a folder and what it proposes."""

    folder: Path
    files: int = 0
    with_front_matter: int = 0
    unreadable: int = 0
    #: The first files whose front matter could not be read: (path, line, what is wrong).
    unreadable_files: list[tuple[str, int, str]] = field(default_factory=list)
    keys: list[KeyUse] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    date_note: str = ""
    extra: list[str] = field(default_factory=list)
    typos: list[tuple[str, str, int]] = field(default_factory=list)  # key, like, files
    required: list[str] = field(default_factory=list)
    required_when_published: list[str] = field(default_factory=list)
    required_sections: list[str] = field(default_factory=list)
    section_shares: dict[str, float] = field(default_factory=dict)  # section -> share of files
    owners: Counter[str] = field(default_factory=Counter)
    folders: Counter[str] = field(default_factory=Counter)
    #: folders (relative, at any depth) whose files have, nearly all, no front matter:
    #: snippets for inclusion rather than procedures, proposed (commented) as `exclude`
    bare_folders: list[tuple[str, int]] = field(default_factory=list)
    has_ids: bool = False
    sparse: dict[str, str] = field(default_factory=dict)  # key -> field it was not aliased to
    dialects: Counter[str] = field(default_factory=Counter)  # dialect -> files using it
    absolute_links: int = 0
    absolute_example: str = ""


def _scan_config(folder: Path) -> Config:
    """A configuration that reads every key as written (no aliases): for counting."""
    return Config(
        root=folder,
        source=None,
        procedures_dir=folder,
        roster_path=folder / "roster.yml",
        roster_explicit=False,
        max_file_bytes=10_000_000,
    )


def scan(folder: Path) -> Adoption:
    """Read every Markdown file under `folder` and work out the configuration for it."""
    if not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    config = _scan_config(folder)
    found = Adoption(folder=folder)
    counts: Counter[str] = Counter()
    values: dict[str, list[Any]] = {}
    with_section: Counter[str] = Counter()
    in_folder: Counter[str] = Counter()
    bare_in_folder: Counter[str] = Counter()
    for path, rel in iter_markdown_files(folder):
        if not isinstance(rel, str) or not isinstance(path, Path):
            continue  # refused by the walk (links out, pipes): lint reports them
        found.files += 1
        procedure = load_procedure(path, rel, config)
        top = rel.split("/", 1)[0] if "/" in rel else "."
        found.folders[top] += 1
        _count_syntax(found, procedure.body)
        parent = rel.rpartition("/")[0] or "."
        in_folder[parent] += 1
        if not procedure.has_front_matter:
            bare_in_folder[parent] += 1
        if not procedure.raw:
            if procedure.has_front_matter:  # opened, but its YAML could not be read
                found.unreadable += 1
                if len(found.unreadable_files) < MAX_UNREADABLE_LISTED:
                    why = next((i for i in procedure.issues if i.kind in FRONT_MATTER_UNREAD), None)
                    found.unreadable_files.append(
                        (rel, why.line if why else 1, why.message if why else "not read")
                    )
            continue
        found.with_front_matter += 1
        for key, value in procedure.raw.items():
            counts[str(key)] += 1
            values.setdefault(str(key), []).append(value)
        scan_ = procedure.scan
        for name in _DEFAULT_SECTIONS if scan_ is not None else ():
            if scan_ is not None and scan_.section(name):
                with_section[name] += 1
    _propose(found, counts, values)
    found.bare_folders = sorted(
        (name, n)
        for name, n in bare_in_folder.items()
        if name != "." and n >= 2 and n >= 0.9 * in_folder[name]
    )
    total = max(found.with_front_matter, 1)
    # The sections of the content standard that nearly all articles (4 in 5) have are required.
    articles = max(found.with_front_matter, 1)
    found.section_shares = {name: with_section[name] / articles for name in _DEFAULT_SECTIONS}
    found.required_sections = [
        n for n, share in found.section_shares.items() if share >= _SECTION_REQUIRED_SHARE
    ]
    present = {name: counts.get(found.aliases.get(name, name), 0) / total for name in KNOWN_FIELDS}
    found.required = [
        name
        for name in ("id", "title", "service", "owner")
        if name == "owner" or present[name] >= _REQUIRED_SHARE
    ]
    found.required_when_published = [
        name
        for name in ("summary", "backup", "reviewed")
        if name in ("backup", "reviewed") or present[name] >= _REQUIRED_SHARE
    ]
    found.has_ids = present["id"] > 0
    return found


def _count_syntax(found: Adoption, body: str) -> None:
    """Which dialects `body` uses, and its links absolute on another site."""
    for name, sign in DIALECT_SIGNS.items():
        if sign.search(body):
            found.dialects[name] += 1
    links = _ABSOLUTE_LINK.findall(body)
    if links:
        found.absolute_links += len(links)
        found.absolute_example = found.absolute_example or links[0]


def _propose(found: Adoption, counts: Counter[str], values: dict[str, list[Any]]) -> None:
    """Aliases, the date format, extra keys and likely typos, from the keys in use."""
    in_use = set(counts)
    total = max(found.with_front_matter, 1)
    for name, candidates in FOREIGN_KEYS.items():
        if name in in_use:
            continue  # the knowledge base uses our own key already
        for candidate in candidates:
            actual = next((k for k in in_use if k.lower() == candidate), None)
            if actual is None or actual in found.aliases.values():
                continue
            if name in _WHOLE_BASE_ONLY and counts[actual] / total < 0.5:
                # A service or tags on a few files would split the catalogue: folders get
                # their service from [[defaults]] instead, and the key stays theirs.
                found.sparse[actual] = name
                break
            found.aliases[name] = actual
            break
    audience_values = {str(v) for v in values.get("audience", []) if v is not None}
    if audience_values and not audience_values <= set(AUDIENCES):
        # Their own audience (ITPro, Developer): kept as theirs; ours would come from a key
        # they do not have until someone adds it.
        found.aliases["audience"] = "kbtool.audience"
    status_values = {str(v) for v in values.get("status", []) if v is not None}
    if status_values and not status_values <= set(STATUSES):
        found.aliases["status"] = "kbtool.status"
    reviewed_key = found.aliases.get("reviewed", "reviewed")
    found.date_format, found.date_note = detect_date_format(values.get(reviewed_key, []))
    mapped = set(found.aliases.values())
    ours = set(KNOWN_FIELDS) - {n for n in ("audience", "status") if n in found.aliases}
    commoner = sorted(in_use, key=lambda k: -counts[k])
    total = max(found.with_front_matter, 1)
    for key in commoner:
        meaning = ""
        if key in mapped:
            name = next(n for n, k in found.aliases.items() if k == key)
            meaning = f"{name} (alias)"
        elif key in ours:
            meaning = "kbtool's own"
        else:
            # A near-miss of a key used five times as often, or of one of our fields
            like = typo_of(key, [k for k in commoner if counts[k] >= 5 * counts[key]])
            if like is None and counts[key] / total < _TYPO_SHARE:
                like = typo_of(key, sorted(ours - in_use))
            if like is not None:
                found.typos.append((key, like, counts[key]))
                meaning = f"likely a typo of {like!r}: not allowed, so lint reports it"
            else:
                found.extra.append(key)
                meaning = "extra"
                if key in found.sparse:
                    name = found.sparse[key]
                    meaning += f" (on too few files to be the {name}"
                    meaning += ": give folders one with [[defaults]])" if name == "service" else ")"
        found.keys.append(KeyUse(key, counts[key], meaning))
    for value in values.get(found.aliases.get("owner", "owner"), []):
        for handle in value if isinstance(value, list) else [value]:
            if (
                isinstance(handle, str | int)
                and not isinstance(handle, bool)
                and str(handle).strip()
            ):
                found.owners[str(handle).strip()] += 1


def detect_date_format(values: Iterable[Any]) -> tuple[str | None, str]:
    """The strftime format most of `values` are written in, and a note on how sure that is.

    YAML's own dates (2026-10-01, unquoted) need no format. Between day-first and month-first,
    a part over 12 decides; when none is, month-first is assumed and the note says so.
    """
    texts = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    natives = sum(1 for v in values if isinstance(v, dt.date))
    if not texts:
        return (None, "YAML dates (YYYY-MM-DD)" if natives else "")
    scores: Counter[str] = Counter()
    for fmt in DATE_FORMATS:
        for text in texts:
            try:
                dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            scores[fmt] += 1
    if not scores:
        return (None, f"no known date format fits, e.g. {texts[0]!r}")
    best = max(scores.values())
    winners = [fmt for fmt in DATE_FORMATS if scores[fmt] == best]
    fmt = winners[0]
    note = f"{best:,} of {len(texts):,} dates read as {fmt}"
    if "%m/%d/%Y" in winners and "%d/%m/%Y" in winners:
        note += " (no day over 12 told month-first from day-first: month-first assumed)"
    return fmt, note


# --- what is written ------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """`text` as a JSON string, which TOML and YAML read as a string of theirs with the same
    escapes; a character that would act on a terminal (C1 controls, bidirectional overrides) is
    written as its `\\uNNNN` escape, so the file has none that `kbtool lint` refuses."""
    return json_visible(json.dumps(text, ensure_ascii=False))


def _toml(value: Any) -> str:
    """A TOML value: strings as JSON strings (the same escapes), lists of them."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return _quoted(value)
    return json.dumps(value, ensure_ascii=False)


def render_config(found: Adoption, procedures: str, roster: str) -> str:
    """kbtool.toml for the folder; every line `kbtool` validates when it loads."""
    lines = [
        f"# Written by `kbtool init` from {found.files:,} Markdown files in {procedures}.",
        "# Nothing in the files is rewritten: their keys are read through the aliases below.",
        "",
        f"procedures = {_toml(procedures)}",
        f"roster = {_toml(roster)}",
    ]
    if found.bare_folders:
        shown = ", ".join(f"{name} ({n})" for name, n in found.bare_folders)
        globs = [f"{name}/*.md" for name, _n in found.bare_folders]
        lines += [
            f"# Folders of files without front matter (snippets to include?): {shown}.",
            "# If they are not procedures, leave them out:",
            f"# exclude = {_toml(globs)}",
        ]
    lines += ["", "[fields]"]
    if not found.has_ids:
        lines += [
            "# No file has an id: any id that appears later is accepted.",
            'id_pattern = ".+"',
        ]
    lines += [
        f"required = {_toml(found.required)}",
        f"required_when_published = {_toml(found.required_when_published)}",
    ]
    if found.aliases:
        pairs = ", ".join(f"{name} = {_toml(key)}" for name, key in found.aliases.items())
        lines.append(f"aliases = {{ {pairs} }}")
    if found.date_format and found.date_format != "%Y-%m-%d":
        lines.append(f"# {found.date_note}")
        lines.append(f"date_formats = {_toml([found.date_format])}")
    if found.extra or "audience" in found.aliases or "status" in found.aliases:
        extra = list(found.extra)
        for name in ("audience", "status"):
            if name in found.aliases and name not in extra:
                extra.append(name)
        lines.append("# Keys the files use on purpose (lint's FM008 stays quiet for them).")
        lines.append(f"extra = {_toml(extra)}")
    if found.typos:
        shown = ", ".join(f"{key} ({like}?)" for key, like, _n in found.typos)
        lines.append(f"# Left out as likely typos, for lint to report: {shown}")
    if found.dialects:
        used = ", ".join(f"{name} in {n:,} files" for name, n in found.dialects.most_common())
        lines += [
            "",
            f"# Syntax of other knowledge bases the files use ({used}):",
            "[dialect]",
        ]
        lines += [f"{name} = true" for name in DIALECT_SIGNS if found.dialects[name]]
    if found.absolute_links:
        lines += [
            "",
            f"# {found.absolute_links:,} links are absolute paths on another site (such as "
            f"{found.absolute_example[:60]}):",
            "# name that site so that they lead there (and LN006 is quiet):",
            "# [links]",
            '# base_url = "https://..."',
        ]
    lines += ["", "[structure]"]
    shares = ", ".join(f"{name} {share:.0%}" for name, share in found.section_shares.items())
    lines.append(
        f"# Share of the files with each section: {shares}. Required below: the sections"
        f" at least {_SECTION_REQUIRED_SHARE:.0%} of them have."
    )
    lines.append(f"required_sections = {_toml(found.required_sections)}")
    lines += [
        "",
        "# Values for whole folders, where the front matter names none (the front matter wins):",
        "# service, owner, backup, audience, review_every, escalate_to.",
    ]
    bare = {name for name, _n in found.bare_folders}
    for folder, count in found.folders.most_common():
        if folder in bare:
            continue  # snippets, not procedures
        glob = "*.md" if folder == "." else f"{folder}/**"
        lines += [
            f"# [[defaults]]  # {count:,} files",
            f"# path = {_toml(glob)}",
            '# service = "..."',
        ]
    return "\n".join(lines) + "\n"


def _yaml_key(handle: str) -> str:
    return handle if _HANDLE.fullmatch(handle) else _quoted(handle)


def render_roster(found: Adoption) -> str:
    """A roster skeleton: one person per owner found, busiest first, to be filled in."""
    owner_key = found.aliases.get("owner", "owner")
    lines = [
        f"# Written by `kbtool init`: one person per {owner_key} found in {found.files:,} files.",
        "# Fill in each name, role, e-mail and github handle, and their standing backup",
        "# (`backup: <handle>`), who stands in on the procedures they own that name none.",
    ]
    if not found.owners:
        return "\n".join([*lines, "people: {}", ""])
    lines.append("people:")
    for handle, count in sorted(found.owners.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {_yaml_key(handle)}:  # owns {count:,}")
        lines.append(f"    name: {_quoted(handle)}")
    return "\n".join(lines) + "\n"


def render_report(found: Adoption) -> str:
    """What was found: the files, the keys with their counts and what each will mean."""
    lines = [
        f"{found.files:,} Markdown files in {found.folder}: {found.with_front_matter:,} with "
        f"front matter, {found.unreadable:,} whose front matter cannot be read",
    ]
    for rel, line, message in found.unreadable_files:
        lines.append(f"  {one_line(rel)}:{line}: {one_line(message)}")
    if found.unreadable > len(found.unreadable_files):
        lines.append(
            f"  ... and {found.unreadable - len(found.unreadable_files):,} more (kbtool lint)"
        )
    lines += [
        "",
        "Front-matter keys (files using each):",
    ]
    # A key with a line break or an acting character is shown quoted: on one line, escaped.
    shown = [k.key if k.key.isprintable() else _quoted(k.key) for k in found.keys]
    width = max([len(key) for key in shown] or [3])
    for key, use in zip(shown, found.keys, strict=True):
        lines.append(f"  {key:<{width}}  {use.files:>7,}  {use.meaning}")
    if found.aliases:
        lines += ["", "Aliases:"]
        for name, key in found.aliases.items():
            own = (
                f" (the files' own {name!r} is not kbtool's: kept as theirs)"
                if key == f"kbtool.{name}"
                else ""
            )
            lines.append(f"  {name} <- {key}{own}")
    if found.date_note:
        lines.append(f"Review dates: {found.date_note}")
    lines.append(f"Owners found: {len(found.owners):,}")
    for name, n in found.bare_folders:
        lines.append(f"No front matter in {name}/ ({n:,} files): snippets? see `exclude`")
    if found.dialects:
        used = ", ".join(f"{name} ({n:,} files)" for name, n in found.dialects.most_common())
        lines.append(f"Dialects in use: {used}")
    if found.absolute_links:
        lines.append(
            f"Absolute links to another site: {found.absolute_links:,} (set [links] base_url)"
        )
    return "\n".join(lines) + "\n"
