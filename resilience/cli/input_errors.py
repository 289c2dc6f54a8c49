"""How every command reports bad input: one stderr line, exit status 2, nothing on stdout."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from resilience.errors import InputError

P = ParamSpec("P")
R = TypeVar("R")

BAD_INPUT_EXIT = 2


def reports_input_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a click callback so that an InputError ends the process with status 2 and one line.

    Commands must build their whole output before writing any of it, so that a late error leaves
    nothing partial on standard output.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            message = " ".join(str(error).split())  # exactly one line
            print(f"error: {message}", file=sys.stderr)
            sys.exit(BAD_INPUT_EXIT)

    return wrapper
