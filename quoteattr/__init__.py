"""quoteattr: find quotations in news text and say who said them, in what role.

Example:
    >>> from quoteattr import QuoteAttributor
    >>> qa = QuoteAttributor.load()  # doctest: +SKIP
    >>> [(q.text, q.speaker.name) for q in qa('"It is fake," said Vasily Nebenzya.')]  # doctest: +SKIP
    [('"It is fake,"', 'Vasily Nebenzya')]
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from quoteattr.data.jsonl import load_documents
from quoteattr.schema import SCHEMA_VERSION, Document, Quote, Span, Speaker
from quoteattr.version import __version__

__all__ = ["SCHEMA_VERSION", "Document", "Quote", "QuoteAttributor", "Span", "Speaker", "__version__", "load_documents"]

logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from quoteattr.inference import QuoteAttributor


def __getattr__(name: str) -> Any:
    # QuoteAttributor pulls in torch; import it only when it is asked for.
    if name == "QuoteAttributor":
        from quoteattr.inference import QuoteAttributor

        return QuoteAttributor
    raise AttributeError(f"module 'quoteattr' has no attribute {name!r}")
