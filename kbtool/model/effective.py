"""The effective procedure: its front matter first, then the knowledge base's defaults.

A field the front matter does not give takes its value from the `[[defaults]]` blocks of
kbtool.toml whose path globs match the procedure (a later block wins over an earlier one, so
general blocks come first), and a backup, failing those, from the owner's standing backup in
the roster (`backup:` on a person). Front matter always wins, even a value the linter rejects.

Applied once where procedures are loaded, into `Procedure.fields`, so that lint, stale, report,
show, the site, the search index and CODEOWNERS all read the same values; `Procedure.origins`
says where each value that is not in the front matter came from, for `kbtool show` and the
procedure card to say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbtool.model.config import Config, FolderDefaults

if TYPE_CHECKING:
    from kbtool.model.procedure import Procedure
    from kbtool.model.roster import Roster


def _named_in_front_matter(procedure: Procedure, name: str) -> bool:
    """The front matter gives `name` a value (valid or not): no default may replace it."""
    if name in procedure.fields:
        return True
    source = procedure.field_sources.get(name)
    return source is not None and procedure.raw.get(source) not in (None, "", [])


def matching_defaults(config: Config, rel_path: str) -> dict[str, tuple[Any, str]]:
    """field -> (value, the glob that matched) from every `[[defaults]]` block matching."""
    chosen: dict[str, tuple[Any, str]] = {}
    for block in config.defaults:
        glob = block.match(rel_path)
        if glob is None:
            continue
        for name, value in block.values.items():
            chosen[name] = (value, glob)
    return chosen


def apply_defaults(procedure: Procedure, config: Config) -> None:
    """Fill the fields the front matter leaves out from the matching `[[defaults]]` blocks.

    A default backup that would make the owner their own backup is not applied (the owner's
    standing backup, if any, is used instead): a folder default never creates an OW009.
    """
    if not config.defaults:
        return
    chosen = matching_defaults(config, procedure.rel_path)
    for name, (value, glob) in chosen.items():
        if _named_in_front_matter(procedure, name):
            continue
        if name == "backup" and value == procedure.fields.get("owner"):
            continue
        procedure.fields[name] = value
        procedure.origins[name] = f"default for {glob}"


def standing_backup(roster: Roster | None, owner: str | None) -> str | None:
    """The owner's standing backup in the roster, unless it is the owner."""
    person = roster.person(owner) if roster is not None else None
    if person is None or person.backup is None or person.backup == owner:
        return None
    return person.backup


def apply_standing_backup(procedure: Procedure, roster: Roster | None) -> None:
    """A procedure naming no backup (nor given one by a default) takes its owner's standing one."""
    if _named_in_front_matter(procedure, "backup"):
        return
    owner = procedure.owner
    backup = standing_backup(roster, owner)
    if backup is not None:
        procedure.fields["backup"] = backup
        procedure.origins["backup"] = f"standing backup of {owner}"


def origin(procedure: Procedure, name: str) -> str | None:
    """Where the effective value of `name` came from when it is not the front matter's."""
    return procedure.origins.get(name)


__all__ = [
    "FolderDefaults",
    "apply_defaults",
    "apply_standing_backup",
    "matching_defaults",
    "origin",
    "standing_backup",
]
