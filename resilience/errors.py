"""The one error type for bad input, raised where input enters (files, forms, command line)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input, located as precisely as possible: file, then row or feature, then field.

    ``str(error)`` is one line suitable for standard error or a page's error summary, e.g.
    ``sites.csv: row 4: field 'lat': 'abc' is not a number``.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        location: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.file = file
        self.location = location
        self.field = field

    def located(self, *, file: str | None = None, location: str | None = None) -> InputError:
        """Return this error with the file (and location) filled in where still unknown."""
        return InputError(
            self.problem,
            file=self.file or file,
            location=self.location or location,
            field=self.field,
        )

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.location) if p]
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.problem)
        return ": ".join(parts)


# How many problems of one file are listed before "and N more".
MAX_LISTED_PROBLEMS = 50


class InputErrors(InputError):
    """Every problem found in one input (a file), the first ``MAX_LISTED_PROBLEMS`` listed.

    ``str()`` stays one line (for the command line); ``lines`` gives one line per problem, for a
    page's error summary, ending with "and N more problems" when some were left off.
    """

    def __init__(self, errors: list[InputError], *, file: str | None = None) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        first = errors[0]
        super().__init__(
            first.problem, file=file or first.file, location=first.location, field=first.field
        )
        self.errors = [e.located(file=file) for e in errors]

    @property
    def lines(self) -> list[str]:
        """Return one line per listed problem, and a last line saying how many were left off."""
        listed = [_without_file(e) for e in self.errors[:MAX_LISTED_PROBLEMS]]
        more = len(self.errors) - len(listed)
        if more:
            listed.append(f"and {more:,} more problem{'s' if more != 1 else ''}")
        return listed

    def __str__(self) -> str:
        if len(self.errors) == 1:
            return str(self.errors[0])
        count = len(self.errors)
        head = f"{self.file}: " if self.file else ""
        return f"{head}{count:,} problems: " + "; ".join(self.lines)


def _without_file(error: InputError) -> str:
    return str(InputError(error.problem, location=error.location, field=error.field))


def raise_collected(errors: list[InputError], *, file: str | None = None) -> None:
    """Raise the errors found as one InputErrors, if there are any."""
    if errors:
        raise InputErrors(errors, file=file)
