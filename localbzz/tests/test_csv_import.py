"""The one CSV import pipeline (localbzz.csv_import): the file's header and rows are read, every row
is checked, and rows are written all together in one transaction or not at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agency.models import Client
from localbzz.csv_import import MAX_ROWS, CellError, ImportRow, read_csv, run_import

COLUMNS = ["name", "slug", "note"]


def _read(text: str):
    return read_csv(text, columns=COLUMNS, required=["name"])


def test_rows_are_read_with_their_line_and_stripped_cells():
    report = _read('name,slug\n  Alpha , alpha\n\n"Beta\nBakes",beta\nGamma\n')
    assert not report.problems
    assert [(r.line, r.values) for r in report.rows] == [
        (2, {"name": "Alpha", "slug": "alpha"}),
        (4, {"name": "Beta\nBakes", "slug": "beta"}),  # a quoted cell over two lines: the row starts on line 4
        (6, {"name": "Gamma", "slug": ""}),  # a short row: the missing cells are empty
    ]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "The file is empty: its first line names the columns (name, slug, note)."),
        ("slug\nx\n", "Missing columns: name (required)."),
        ("name,colour\nx,blue\n", "Columns we do not know: colour. Use only: name, slug, note."),
        ("name,name\nx,y\n", "Columns named twice: name. Keep one of each."),
        ("name,slug\n", "The file has no rows under its header."),
        ("name\n" + "x" * 200_000 + "\n", "Line 2 is not readable CSV (field larger than field limit (131072))"),
    ],
)
def test_a_file_with_a_wrong_header_or_no_rows_has_a_problem_and_no_rows(text, problem):
    report = _read(text)
    assert report.problems and report.problems[0].startswith(problem) and not report.rows and not report.valid


def test_too_many_rows_are_refused_before_any_check():
    report = _read("name\n" + "x\n" * (MAX_ROWS + 1))
    assert report.problems == [f"The file has more than {MAX_ROWS} rows; split it into smaller files."]
    assert not report.rows


def test_a_row_with_more_cells_than_columns_says_how_to_fix_it():
    [row] = _read("name,slug\nJoe's, Landscaping, Austin,joes\n").rows
    assert [str(e) for e in row.errors] == [
        "This line has 4 cells but the header names 2 columns; put text that contains commas in double quotes."
    ]


def test_an_error_names_its_column():
    assert str(CellError("slug", "“x” appears twice in this file.")) == "slug: “x” appears twice in this file."
    assert str(CellError("", "This line is wrong.")) == "This line is wrong."


def _check(rows: list[ImportRow[str]]) -> None:
    for row in rows:
        if not row.cell("slug"):
            row.error("slug", "give each client a portal address.")
        row.data = row.cell("slug")


def _write(row: ImportRow[str]) -> Client:
    assert row.data is not None
    return Client.objects.create(name=row.cell("name"), slug=row.data)


@pytest.mark.django_db
def test_nothing_is_written_when_one_row_fails_and_a_preview_writes_nothing():
    bad = "name,slug\nAlpha,alpha\nBeta,\n"
    report = run_import(bad, columns=COLUMNS, required=["name"], check=_check, write=_write, commit=True)
    assert not report.valid and report.error_count == 1 and not report.created
    assert [str(e) for e in report.rows[1].errors] == ["slug: give each client a portal address."]
    good = "name,slug\nAlpha,alpha\nBeta,beta\n"
    preview = run_import(good, columns=COLUMNS, required=["name"], check=_check, write=_write, commit=False)
    assert preview.valid and not preview.created
    assert not Client.objects.exists()
    done = run_import(good, columns=COLUMNS, required=["name"], check=_check, write=_write, commit=True)
    assert [c.slug for c in done.created] == ["alpha", "beta"]
    assert Client.objects.count() == 2


@pytest.mark.django_db
def test_an_error_while_writing_undoes_every_row_and_is_reported_on_its_row():
    def write(row: ImportRow[str]) -> Client:
        if row.cell("name") == "Gamma":
            raise ValidationError({"slug": "“gamma” was taken a moment ago; choose another."})
        return _write(row)

    text = "name,slug\nAlpha,alpha\nBeta,beta\nGamma,gamma\n"
    report = run_import(text, columns=COLUMNS, required=["name"], check=_check, write=write, commit=True)
    assert not report.created and not report.valid
    assert [str(e) for e in report.rows[2].errors] == ["slug: “gamma” was taken a moment ago; choose another."]
    assert not Client.objects.exists()  # Alpha and Beta were rolled back with it
