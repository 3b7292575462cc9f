"""One error type for bad input, carrying every problem found, not just the first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a look) in an input file.

    `row` is the 1-based data row (CSV/XLSX: the header is row 0, so row 1 is the first
    data line) or the feature id; `None` when the problem concerns the whole file.
    """

    file: str
    row: int | str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class MissionDataError(ValueError):
    """Input that cannot be used; `problems` lists every error found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:20]]
        more = len(self.problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(self.problems)} problem(s) in input:\n" + "\n".join(lines))
