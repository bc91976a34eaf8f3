"""regsearch: full-text search for Chinese regulations and normative documents."""

__version__ = "0.1.0"
