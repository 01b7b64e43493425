"""`python -m quoteattr`: the same command line as the `quoteattr` script."""

from quoteattr.cli import app

app(prog_name="quoteattr")
