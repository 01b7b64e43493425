"""The attribution step: passes over a document that turn tagged spans into quotations."""
