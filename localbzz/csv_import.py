"""CSV imports: validate every row, then write every row or none — the one pipeline.

An import (clients, bulk-scheduled posts, …) gives :func:`run_import` its columns, a ``check``
that looks at every row (and may look across rows: duplicates) and a ``write`` for one row.
Nothing is written unless the file's header is right and every row passes; then every row is
written in one transaction, and an error raised while writing (a portal address taken a moment
ago) undoes them all and is reported on its row. Each error names its row's line and column,
worded so a person can fix the file and upload it again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

T = TypeVar("T")
W = TypeVar("W")

MAX_ROWS = 5000  # a larger file is refused before any row is checked (split it)


@dataclass(frozen=True)
class CellError:
    """One problem of a row: its ``column`` ("" when it is about the whole row) and what to do."""

    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.column}: {self.message}" if self.column else self.message


@dataclass
class ImportRow(Generic[T]):
    """One line of the file: its cells by column (stripped), its errors and what ``check`` made of
    it (``data``, handed to ``write``)."""

    line: int
    values: dict[str, str]
    errors: list[CellError] = field(default_factory=list)
    data: T | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append(CellError(column, message))

    def cell(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class ImportReport(Generic[T, W]):
    """What a file holds and what became of it: ``problems`` of the file as a whole (header, no
    rows), each row with its errors, and what was written (``created``, empty unless all passed)."""

    columns: list[str]
    rows: list[ImportRow[T]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    created: list[W] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.problems and all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        """How many rows have errors."""
        return sum(1 for row in self.rows if row.errors)


def read_csv(text: str, *, columns: Sequence[str], required: Sequence[str]) -> ImportReport[T, W]:
    """The rows of ``text`` under its header, or the file's problems (missing, unknown or repeated
    columns, no rows, too many rows, text that is not CSV). Row checks are the caller's."""
    reader = csv.reader(io.StringIO(text))
    report: ImportReport[T, W] = ImportReport(columns=[])
    try:
        header = [name.strip() for name in next(reader, [])]
        report.columns = header
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in columns]
        repeated = sorted({c for c in header if c and header.count(c) > 1})
        if not header:
            report.problems.append(f"The file is empty: its first line names the columns ({', '.join(columns)}).")
            return report
        if missing:
            report.problems.append(f"Missing columns: {', '.join(missing)} (required).")
        if unknown:
            report.problems.append(
                f"Columns we do not know: {', '.join(c or '(an empty name)' for c in unknown)}. "
                f"Use only: {', '.join(columns)}."
            )
        if repeated:
            report.problems.append(f"Columns named twice: {', '.join(repeated)}. Keep one of each.")
        if report.problems:
            return report
        while True:
            line = reader.line_num + 1  # where this row starts (a quoted cell may span lines)
            cells = next(reader, None)
            if cells is None:
                break
            if not cells:
                continue  # an empty line (spreadsheets add them at the end)
            values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
            row: ImportRow[T] = ImportRow(line=line, values=values)
            if len(cells) > len(header):
                row.error(
                    "",
                    f"This line has {len(cells)} cells but the header names {len(header)} columns; "
                    "put text that contains commas in double quotes.",
                )
            report.rows.append(row)
            if len(report.rows) > MAX_ROWS:
                report.rows.clear()
                report.problems.append(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
                return report
    except csv.Error as error:
        report.rows.clear()
        report.problems.append(f"Line {reader.line_num} is not readable CSV ({error}); save the file as CSV again.")
        return report
    if not report.rows:
        report.problems.append("The file has no rows under its header.")
    return report


def run_import(
    text: str,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    check: Callable[[list[ImportRow[T]]], None],
    write: Callable[[ImportRow[T]], W],
    commit: bool,
) -> ImportReport[T, W]:
    """Read ``text``, ``check`` every row, and — when ``commit`` and nothing is wrong — ``write``
    every row in one transaction (all or none). Without ``commit``: the preview."""
    report: ImportReport[T, W] = read_csv(text, columns=columns, required=required)
    if report.problems:
        return report
    check(report.rows)
    if not commit or not report.valid:
        return report
    current: ImportRow[T] | None = None
    try:
        with transaction.atomic():
            for current in report.rows:
                report.created.append(write(current))
    except ValidationError as error:
        report.created.clear()
        assert current is not None
        for column, messages in _by_column(error):
            for message in messages:
                current.error(column, message)
    return report


def _by_column(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [("" if name == "__all__" else name, messages) for name, messages in error.message_dict.items()]
    return [("", list(error.messages))]
