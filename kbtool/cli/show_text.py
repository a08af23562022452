"""`kbtool show` as text: one procedure, readable with a caller on the line.

The procedure's Markdown is rendered for the terminal by rich (numbered steps with their
sub-bullets and code, bold and code styled); in a pipe the same text comes out plain, without
colour or escape sequences. Links are shown as their text (a link to another procedure with
its id), and every value from the procedure or the roster goes through `visible` first: no
control character reaches the terminal. rich is imported here only, and this module only by
`kbtool show`, so `kbtool search` never pays for it.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable
from typing import Any

from kbtool.core.display import one_line, visible
from kbtool.model.escalation import Escalation
from kbtool.model.roster import Person

#: `[text](target)` and `![alt](target)`, the target with an optional title.
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>]+)>")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_COMMENT = re.compile(r"<!--.*?-->", re.S)

#: Widest the text is laid out, however wide the terminal: lines stay readable.
MAX_WIDTH = 100


def link_targets(markdown: str) -> list[str]:
    """The relative link targets of `markdown` (the ones that may lead to a procedure)."""
    found = []
    for match in _LINK.finditer(markdown):
        target = match.group(3).strip("<>")
        if target and not target.startswith(("#", "/")) and not _SCHEME.match(target):
            found.append(target)
    return found


def resolve_link(target: str, from_rel: str) -> str:
    """The path, relative to the procedures folder, that `target` in `from_rel` leads to."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_rel), path))


def plain_links(markdown: str, ids: dict[str, str]) -> str:
    """Links as their text: `text (KB-0005)` for a link to another procedure (`ids`: link
    target -> id), the text alone for other relative links and anchors, `text (address)`
    for web links; comments removed."""

    def replace(match: re.Match[str]) -> str:
        image, text, target = match.group(1), match.group(2), match.group(3).strip("<>")
        if image:
            return text
        if _SCHEME.match(target) and not target.startswith("mailto:"):
            return text if text.strip() == target else f"{text} ({target})"
        ident = ids.get(target)
        return f"{text} ({ident})" if ident else text

    text = _COMMENT.sub("", markdown)
    text = _LINK.sub(replace, text)
    return _AUTOLINK.sub(r"\1", text)


class Renderer:
    """Renders Markdown and styled lines for one output stream."""

    def __init__(self, terminal: bool, width: int | None) -> None:
        from rich.console import Console

        self.terminal = terminal
        self.width = min(width or 80, MAX_WIDTH)
        self._console = Console(
            file=io.StringIO(),
            force_terminal=terminal,
            color_system="standard" if terminal else None,
            width=self.width,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=False,
        )

    def markdown(self, text: str, indent: int = 2) -> list[str]:
        """`text` (Markdown) rendered, each line indented by `indent` spaces."""
        from rich.markdown import Markdown

        console = self._console
        console.width = self.width - indent
        buffer = console.file
        assert isinstance(buffer, io.StringIO)
        buffer.seek(0)
        buffer.truncate()
        console.print(Markdown(visible(text), hyperlinks=False, code_theme="ansi_dark"))
        lines = [line.rstrip() for line in buffer.getvalue().split("\n")]
        while lines and not _plain(lines[-1]):
            lines.pop()
        while lines and not _plain(lines[0]):
            lines.pop(0)
        return [" " * indent + line if _plain(line) else "" for line in lines]

    def style(self, text: str, **kw: Any) -> str:
        if not self.terminal:
            return text
        import click

        return click.style(text, **kw)


def _plain(line: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", line).strip()


def render_card(
    card: Any,
    steps_title: str,
    *,
    terminal: bool,
    width: int | None,
    ids: dict[str, str],
    replacement: tuple[str, str | None] | None,
) -> str:
    """The card as text. `ids`: link target -> id of the procedure it leads to;
    `replacement`: (id, title) of what replaced a retired procedure."""
    out = Renderer(terminal, width)
    p = card.procedure
    lines: list[str] = []
    if p.status == "retired":
        banner = "RETIRED: no longer in use; do not follow it with a caller."
        if replacement is not None:
            ident, title = replacement
            found = f" {one_line(title)}" if title else " (no procedure has that id)"
            banner += f" Replaced by {one_line(ident)}{found}: kbtool show {one_line(ident)}"
        elif p.superseded_by:
            banner += f" Replaced by {one_line(p.superseded_by)}."
        else:
            banner += " Search for its replacement."
        lines += [out.style(banner, fg="red", bold=True), ""]
    elif p.status == "draft":
        lines += [
            out.style(
                "DRAFT: not yet approved; follow it only with the owner's agreement.",
                fg="yellow",
                bold=True,
            ),
            "",
        ]
    ident = out.style(one_line(p.id or p.rel_path), fg="cyan", bold=True)
    lines.append(f"{ident}  {out.style(one_line(p.title), bold=True)}")
    facts = [
        _with_origin(p, name, value)
        for name, value in (("service", p.service), ("audience", p.audience), ("status", p.status))
        if value
    ]
    lines.append(out.style(" · ".join(one_line(x) for x in [*facts, p.rel_path]), dim=True))
    if p.summary:
        lines.append(one_line(p.summary))
    lines.append("")
    lines += _people(card, out)
    lines.append(_review(card, out))

    def plain(text: str) -> str:
        return plain_links(text, ids)

    if card.symptoms:
        lines += ["", out.style("Symptoms", bold=True), *out.markdown(plain(card.symptoms))]
    lines += ["", out.style(one_line(steps_title), bold=True)]
    if card.steps:
        lines += _steps(card.steps, out, plain)
    else:
        lines.append("  (no numbered steps)")
    lines += ["", out.style("Escalation", bold=True)]
    if card.escalate is not None:
        lines += _escalate_to(card.escalate, out, _origin(p, "escalate_to"))
        lines.append("")
    lines += out.markdown(plain(card.escalation)) if card.escalation else ["  (none written)"]
    return "\n".join(lines)


def _steps(steps: list[Any], out: Renderer, plain: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    width = len(str(max(step.number for step in steps)))
    for position, step in enumerate(steps):
        number = f"{step.number}." if step.number else f"{position + 1}."
        prefix = f"  {number:>{width + 1}} "
        # One block per step: no blank lines between its text and its sub-bullets or code.
        rendered = [line for line in out.markdown(plain(step.text), indent=len(prefix)) if line]
        if not rendered:
            rendered = [" " * len(prefix)]
        first = rendered[0][len(prefix) :]
        lines.append(out.style(prefix, bold=True) + first)
        lines += rendered[1:]
    return lines


def _escalate_to(target: Escalation, out: Renderer, origin: str) -> list[str]:
    """Who to escalate to and how to reach them: the slug of `escalate_to` is not a phone."""
    head = "  " + out.style("To: ", bold=True)
    slug = one_line(target.target)
    if target.kind == "person":
        return [head + _contact(target.people[0], target.target) + origin]
    if target.kind == "unknown":
        return [head + f"{slug} (not in the roster){origin}"]
    kind = "role" if target.kind == "role" else "team"
    first = f"{one_line(target.label)} ({kind} {slug})"
    if target.email:
        first += f" · {one_line(target.email)}"
    lines = [head + first + origin]
    label = "lead: " if target.kind == "team" else ""
    lines += [f"      {label}{_contact(person, person.handle)}" for person in target.people]
    if target.kind == "role" and not target.people:
        lines.append("      nobody in the roster holds this role and is available today")
    return lines


def _contact(person: Person | None, handle: str | None) -> str:
    if not handle:
        return "none"
    if person is None:
        return f"{one_line(handle)} (not in the roster)"
    parts = [f"{one_line(person.name)} ({one_line(handle)})"]
    for value in (person.email, person.phone):
        if value:
            parts.append(one_line(value))
    if person.chat:
        parts.append(f"chat {one_line(person.chat)}")
    return " · ".join(parts)


def _people(card: Any, out: Renderer) -> list[str]:
    lines = []
    if card.orphaned:
        if card.acting_owner:
            lines.append(
                out.style("Acting owner: ", bold=True)
                + _contact(card.acting_person, card.acting_owner)
                + f" (the owner {one_line(card.owner or 'none')} is"
                + f" {one_line(str(card.orphan_reason))})"
            )
        else:
            lines.append(
                out.style("Acting owner: nobody available", fg="red", bold=True)
                + " (escalate to the service desk manager)"
            )
    owner = _contact(card.owner_person, card.owner) + _origin(card.procedure, "owner")
    backup = _contact(card.backup_person, card.backup) + _origin(card.procedure, "backup")
    lines.append(out.style("Owner:  ", bold=True) + owner)
    lines.append(out.style("Backup: ", bold=True) + backup)
    return lines


def _origin(procedure: Any, name: str) -> str:
    """` (default for email/**)` when the value is a default, not the front matter's."""
    where = procedure.origins.get(name)
    return f" ({one_line(where)})" if where else ""


def _with_origin(procedure: Any, name: str, value: str) -> str:
    return value + _origin(procedure, name)


def _review(card: Any, out: Renderer) -> str:
    state = card.review
    review = f"Review: {state.status.value}"
    if state.reviewed:
        review += f", reviewed {state.reviewed.isoformat()}"
    if state.due:
        review += f", due {state.due.isoformat()}"
    elif state.never_due:
        review += ", never due (the due date would be after 9999-12-31)"
    if state.overdue:
        return out.style(review + f" (OVERDUE by {state.days_overdue} days)", fg="red", bold=True)
    return review
