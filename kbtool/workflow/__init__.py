"""The workflow commands' library: scaffolding, review stamps, CODEOWNERS, freshness and health
reports, the search log, version control.

Library functions the CLI calls (nothing here prints or exits); imports the model, the lint
engine and `kbtool.core`.
"""
