"""Exceptions raised by quoteattr; the CLI turns them into one-line messages."""

from __future__ import annotations


class QuoteAttrError(Exception):
    """Base class of every error quoteattr raises on purpose."""


class DataFormatError(QuoteAttrError):
    """A dataset record or input file does not match the expected format."""


class ModelLoadError(QuoteAttrError):
    """A model directory is missing, incomplete, corrupt or of another label scheme."""


class ConfigError(QuoteAttrError):
    """A training or inference setting is invalid."""


class InputFileError(QuoteAttrError):
    """A text file given to predict cannot be read as text."""
