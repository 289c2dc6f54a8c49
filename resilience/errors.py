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
