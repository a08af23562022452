"""The published site: kbtool's library side of the MkDocs plugin.

Everything the site shows is computed here from the same parsed procedures, roster and review
logic as `kbtool lint`: `model` (what each procedure page says), `card` (the metadata card and
banners, Jinja templates), `pages` (generated pages as Markdown), `chart` (the review chart,
SVG). `plugin` is the thin MkDocs shell over them; nothing here imports MkDocs.
"""
