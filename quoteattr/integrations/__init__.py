"""Optional integrations with other engines: Ray Data (`quoteattr[ray]`) and spaCy (`quoteattr[spacy]`)."""
