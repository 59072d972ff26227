"""User-facing errors: one clear line naming the input and the problem, never a traceback."""

from __future__ import annotations


class InputError(Exception):
    """A problem with one input the user gave (file, record, patient)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
