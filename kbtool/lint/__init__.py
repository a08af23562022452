"""The lint engine: rules over parsed procedures → findings → formatters.

Imports the model and `kbtool.core` only.
"""
