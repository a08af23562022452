"""The model: procedures parsed with source positions, configuration, roster, review state.

The bottom layer above `kbtool.core`: imports nothing of kbtool but `kbtool.core`.
"""
