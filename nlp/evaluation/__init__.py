"""Scoring against annotations and answer keys."""
