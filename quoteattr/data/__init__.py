"""Quotation datasets: JSONL records, the standoff news corpus, validation, statistics and mark coverage."""
