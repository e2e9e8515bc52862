"""The one exit policy: from what a run found and what it could not make, the code the process exits with."""
from __future__ import annotations

from collections.abc import Iterable

from .errors import ExitCode, Problem


def blocks(problems: Iterable[Problem], strict: bool, errors_block: bool = True) -> bool:
    """Whether what a check found stops the run before anything is written.

    An error in what the user prepares (master, templates) always stops it; with --strict, a warning too.
    Problems in the units' returns (`errors_block=False`) stop collect only with --strict: a batch of
    hundreds goes on past a bad file and accounts for it in its outputs.
    """
    problems = list(problems)
    return bool(problems) if strict else errors_block and any(p.is_error for p in problems)


def exit_code(problems: Iterable[Problem] = (), strict: bool = False, unmade: int = 0) -> ExitCode:
    """The code a finished run exits with: its problems as `blocks` judges them, then outputs it could not make
    (a PDF without LibreOffice), which leave the rest written."""
    if blocks(problems, strict):
        return ExitCode.INVALID_INPUT
    return ExitCode.CANNOT_WRITE if unmade else ExitCode.OK
