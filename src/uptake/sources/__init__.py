"""Connectors: each turns one kind of input into rows of the canonical tables."""
