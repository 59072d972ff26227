"""Data files (lexicons with codes, context rules) and their loader/validator."""
