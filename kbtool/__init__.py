"""kbtool: lint, index, search and publish IT service desk troubleshooting procedures."""

__version__ = "0.1.0"
