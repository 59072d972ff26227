"""Eligibility-criteria analyzer for clinical trials.

Stages (each imports only earlier ones): ``records`` -> ``criteria`` -> ``pipeline`` ->
``constraints`` -> ``matching`` / ``compare`` -> ``report``.
"""

__version__ = "0.1.0"
