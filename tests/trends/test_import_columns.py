"""Imports with absurd numbers of columns are refused at once, and duplicate names stay cheap."""

from __future__ import annotations

import json

import pytest

from app.trends import importing

LIMIT = 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        ((",".join(f"c{i}" for i in range(200_000)) + "\n" + "x," * 10 + "\n").encode(), "wide.csv"),
        ((",".join(["same"] * 200_000) + "\n").encode(), "same.csv"),
        (json.dumps([{f"k{i}": 1 for i in range(5_000)}]).encode(), "wide.json"),
    ],
)
def test_too_many_columns_are_refused_clearly(app, data, filename):
    with app.test_request_context(), pytest.raises(importing.ImportFileError) as error:
        importing.read_table(data, filename, max_bytes=LIMIT)
    assert f"at most {importing.MAX_COLUMNS} can be imported" in str(error.value)


def test_repeated_and_blank_column_names_become_unique(app):
    data = b"title,title,,title\nA,B,C,D\n"
    table = importing.read_table(data, "t.csv", max_bytes=LIMIT)
    assert table.columns == ["title", "title (2)", "column 3", "title (4)"]
    assert len(set(importing._unique_columns(["x"] * importing.MAX_COLUMNS))) == importing.MAX_COLUMNS
