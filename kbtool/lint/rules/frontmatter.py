"""FM: the YAML front matter (syntax, required fields, types, keys, ids, dates)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.lint.rules.files import issues
from kbtool.model.config import KNOWN_FIELDS
from kbtool.model.issues import IssueKind
from kbtool.model.keys import alias_hint, typo_of
from kbtool.model.procedure import Procedure

#: Fields with their own, more precise rules: owner (OW001), backup (OW005), reviewed (FR004).
_OWN_RULES = {"owner", "backup", "reviewed"}
SUMMARY_MAX = 200


@rule("FM001", "no-front-matter", Severity.ERROR, issue=IssueKind.NO_FRONT_MATTER)
def no_front_matter(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file does not start with a YAML front matter block, or the block is not closed.

    Every procedure starts with `---` on the first line, its metadata in YAML, and `---` again.
    Fix: add the block (see "How to author a procedure"), or run `kbtool new` and move the body.
    """
    yield from issues(procedure, IssueKind.NO_FRONT_MATTER)


@rule("FM002", "yaml-syntax", Severity.ERROR, issue=IssueKind.YAML)
def yaml_syntax(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The front matter is not valid YAML.

    The finding points at the line and column where the YAML parser stopped. Common causes: a
    value with a colon that needs quotes (`title: "Error: 0x80"`), tabs used for indentation,
    an unclosed bracket or quote (the finding then names the line where it starts).
    Fix: quote the value, indent with spaces, or close the bracket or quote.
    """
    yield from issues(procedure, IssueKind.YAML)


@rule("FM003", "duplicate-key", Severity.ERROR, issue=IssueKind.DUPLICATE_KEY)
def duplicate_key(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A key appears twice in the front matter.

    YAML libraries silently keep the last value, so one of the two is ignored without warning.
    Fix: delete one of them.
    """
    yield from issues(procedure, IssueKind.DUPLICATE_KEY)


@rule("FM004", "front-matter-not-mapping", Severity.ERROR, issue=IssueKind.NOT_MAPPING)
def not_mapping(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The front matter is empty, or is a list or a plain value instead of `key: value` lines.

    Fix: write one `key: value` per line between the `---` lines.
    """
    yield from issues(procedure, IssueKind.NOT_MAPPING)


@rule("FM005", "missing-field", Severity.ERROR)
def missing_field(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A required field is missing or empty.

    Required for every procedure: `fields.required` (default id, title, service, owner);
    additionally for published ones: `fields.required_when_published` (default summary, backup,
    reviewed). Owner, backup and review date have their own rules (OW001, OW005, FR004).
    Fix: add the field with a value, e.g. `service: Email`.
    """
    if not procedure.has_front_matter or not isinstance(procedure.raw, dict) or not procedure.raw:
        return
    required = list(context.config.required_fields)
    if procedure.status == "published":
        required += [f for f in context.config.required_when_published if f not in required]
    for name in required:
        if name in _OWN_RULES or _present(procedure, name):
            continue
        key = context.config.source_key(name)
        yield Problem(f"required field '{key}' is missing; add `{key}: ...`", 1)


def _present(procedure: Procedure, name: str) -> bool:
    if name in procedure.fields:
        return True
    # A present-but-invalid value is reported by the type rules, not as missing.
    source = procedure.field_sources.get(name)
    if source is None:
        return False
    value = procedure.raw.get(source)
    return value not in (None, "", [])


@rule("FM006", "field-type", Severity.ERROR, issue=IssueKind.BAD_TYPE)
def field_type(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A field has the wrong type: a list where text is expected, text where a number is, etc.

    A number too long to read (over 4,300 digits), under any key, is reported here too.
    Fix: `tags`, `error_codes` and `related` are lists (`[a, b]`); `review_every` is a
    number of days; every other field is text (quote it if YAML reads it as something else).
    """
    yield from issues(procedure, IssueKind.BAD_TYPE)


@rule("FM007", "invalid-value", Severity.ERROR, issue=IssueKind.BAD_VALUE)
def invalid_value(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """`status` or `audience` has a value outside its list, or `review_every` is out of range.

    A review interval is at most 36500 days (100 years): a longer one (`review_every:
    999999999`) is a mistake or stands for "never", and the procedure then takes the configured
    interval. Fix: `status` is one of draft, published, retired; `audience` is one of L1, L2,
    L3 (written exactly so, in that case); `review_every` a number of days up to 36500.
    """
    yield from issues(procedure, IssueKind.BAD_VALUE)


@rule("FM008", "unknown-key", Severity.WARNING)
def unknown_key(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The front matter has a key kbtool does not know, usually a typo (`onwer:`).

    The finding suggests the closest known key. Fix: correct the typo; keys a knowledge base
    uses on purpose can be allowed with `fields.extra`, or mapped to a known field with
    `fields.aliases`.
    """
    if not isinstance(procedure.raw, dict):
        return
    config = context.config
    known = set(KNOWN_FIELDS) | set(config.aliases.values()) | set(config.extra_fields)
    for key in procedure.raw:
        if key in known:
            continue
        key_text = str(key)
        close = typo_of(key_text, sorted(known))
        if close is not None:
            hint = f"; did you mean '{close}'?"
        else:
            mapped = alias_hint(key_text, config.aliases)
            hint = f"; {mapped}, or allow it with fields.extra" if mapped else ""
            hint = hint or "; allow it with fields.extra"
        yield Problem(f"unknown key '{key_text}'{hint}", procedure.key_lines.get(key_text, 1))


@rule("FM009", "id-pattern", Severity.ERROR)
def id_pattern(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The id does not match the configured pattern (`fields.id_pattern`, default `KB-\\d{4}`).

    Fix: use the next free id (`kbtool new` picks it), e.g. `KB-0042`.
    """
    ident = procedure.id
    if ident is not None and not context.config.id_regex.fullmatch(ident):
        yield Problem(
            f"id '{ident}' does not match the pattern {context.config.id_pattern}",
            procedure.line_of("id"),
        )


@rule("FM010", "duplicate-id", Severity.ERROR)
def duplicate_id(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """Two procedures declare the same id. Ids are unique and never reused.

    Ids are compared ignoring case: `KB-0001` and `kb-0001` are the same id to an agent
    typing it, and to `kbtool show`. Fix: give one of them the next free id (`kbtool new`
    prints it).
    """
    ident = procedure.id
    if ident is None:
        return
    holders = context.ids_ignoring_case.get(ident.casefold(), [])
    others = sorted((path, other) for other, path in holders if path != procedure.rel_path)
    same = [path for path, other in others if other == ident]
    if same:
        yield Problem(f"id '{ident}' is also used by {', '.join(same)}", procedure.line_of("id"))
    cased = [f"'{other}' in {path}" for path, other in others if other != ident]
    if cased:
        yield Problem(
            f"id '{ident}' differs only in case from {', '.join(cased)}; "
            "ids are compared ignoring case",
            procedure.line_of("id"),
        )


@rule("FM011", "invalid-date", Severity.ERROR, issue=IssueKind.BAD_DATE)
def invalid_date(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The review date cannot be read as a date.

    A day that does not exist (`2026-02-30`) is reported here too. Fix: write it as
    `YYYY-MM-DD`, or configure other formats with `fields.date_formats` (e.g. `["%m/%d/%Y"]`
    for US-style dates).
    """
    yield from issues(procedure, IssueKind.BAD_DATE)


@rule("FM012", "control-characters", Severity.ERROR, issue=IssueKind.CONTROL_CHARS)
def control_characters(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A front-matter value holds control characters or bidirectional overrides.

    They are invisible in most editors, can make a title read differently from what it is,
    and can corrupt terminals. Fix: retype the value.
    """
    yield from issues(procedure, IssueKind.CONTROL_CHARS)


@rule("FM013", "unknown-service", Severity.ERROR)
def unknown_service(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The service is not in the service catalogue (`fields.services`, when configured).

    Fix: use a catalogue name (the finding suggests the closest) or add the service.
    """
    catalogue = context.config.services
    service = procedure.service
    if not catalogue or service is None or service in catalogue:
        return
    close = difflib.get_close_matches(service, list(catalogue), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f" ({', '.join(catalogue)})"
    yield Problem(
        f"service '{service}' is not in the service catalogue{hint}", procedure.line_of("service")
    )


@rule("FM014", "summary-length", Severity.WARNING)
def summary_length(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The summary is longer than 200 characters.

    The summary is one sentence, as a caller would say it; search results show it in full.
    Fix: shorten it and move detail to `## Symptoms`.
    """
    summary = procedure.summary
    if summary is not None and len(summary) > SUMMARY_MAX:
        yield Problem(
            f"summary is {len(summary)} characters; keep it to one sentence under {SUMMARY_MAX}",
            procedure.line_of("summary"),
        )
