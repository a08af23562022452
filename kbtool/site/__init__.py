"""The published site: kbtool's library side of the MkDocs plugin.

Everything the site shows is computed here from the same parsed procedures, roster and review
logic as `kbtool lint`: `model` (what each procedure page says), `card` (the metadata card and
banners, Jinja templates), `pages` (generated pages as Markdown), `chart` (the review chart,
SVG). `plugin` (with its options, `config`) is the thin MkDocs shell over them, and the only
place MkDocs is imported (others name its types under `TYPE_CHECKING` only).

Imports the lint engine, the model and `kbtool.core`.
"""
