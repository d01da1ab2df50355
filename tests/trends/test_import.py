"""Importing monitoring exports: both shapes, every bad-file case, idempotence, the page flow and the CLI."""

from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.trends import importing
from app.trends.models import Evidence, ImportMapping, Observation, Trend

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
LIMIT = 5 * 1024 * 1024


def counts() -> tuple[int, int, int]:
    """Trends, evidence and observations in the database."""
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Trend, Evidence, Observation))


def run(org, data: bytes, filename: str = "file.csv", **options) -> importing.ImportResult:
    table = importing.read_table(data, filename, max_bytes=LIMIT)
    shape = options.pop("shape", None) or importing.guess_shape(table.columns)
    mapping = options.pop("mapping", None) or importing.suggest_mapping(table.columns, shape)
    plan = importing.plan_import(org, table, importing.ImportOptions(shape=shape, mapping=mapping, **options))
    result = importing.apply_import(org, plan, actor=None, filename=filename)
    db.session.commit()
    return result


# A realistic post-level export: 200 rows, a dozen of them wrong in known ways -------------------------

BAD_ROWS = {  # data row index (0-based) → (column, what is wrong)
    5: ("date", "31/02/2024"),
    17: ("date", ""),
    29: ("url", "ftp://files.example/x"),
    41: ("text", ""),
    53: ("engagement", "lots"),
    65: ("language", "english"),
    77: ("country", "France"),
    89: ("narrative", ""),
    101: ("engagement", "-4"),
    113: ("date", "next tuesday"),
    125: ("platform", "My Space!"),
    137: ("country", "Europe"),
}
NARRATIVES = ("Gloomtide housing", "Marées grises", "Hollowmark gathering", "Quiet door jokes")
KEYWORDS = ("gloomtide", "marées grises", "hollowmark", "quiet door")


def post_export(delimiter: str = ",", start: date = date(2024, 3, 1)) -> bytes:
    """200 synthetic detected posts across 14 days and 4 narratives; rows in BAD_ROWS are broken."""
    rng = random.Random(7)
    out = io.StringIO()
    columns = [
        "Date",
        "Platform",
        "URL",
        "Text",
        "Language",
        "Country",
        "Engagement",
        "Matched keyword",
        "Narrative",
    ]
    out.write(delimiter.join(columns) + "\r\n")
    for i in range(200):
        n = i % 4
        day = start + timedelta(days=rng.randrange(14))
        row = {
            "Date": day.strftime("%d/%m/%Y") if i % 2 else day.isoformat(),
            "Platform": rng.choice(["x", "telegram", "facebook"]),
            "URL": f"https://social.example/p/{i}",
            "Text": f"Synthetic post {i} about {KEYWORDS[n]} #Tag{n}"
            + ("\nsecond line" if i % 10 == 0 else ""),
            "Language": "fr" if n == 1 else "en",
            "Country": "FR" if n == 1 else "GB",
            "Engagement": str(rng.randrange(500)),
            "Matched keyword": KEYWORDS[n],
            "Narrative": NARRATIVES[n],
        }
        if i in BAD_ROWS:
            column, value = BAD_ROWS[i]
            row[column.title() if column != "url" else "URL"] = value
            if column == "text":
                row["URL"] = ""  # neither text nor link
        cells = []
        for column in columns:
            value = row[column]
            needs_quotes = any(ch in value for ch in (delimiter, "\n", '"'))
            cells.append('"' + value.replace('"', '""') + '"' if needs_quotes else value)
        out.write(delimiter.join(cells) + "\r\n")
        if i == 60:
            out.write("\r\n")  # an empty line in the middle
    return ("\ufeff" + out.getvalue()).encode()


def _spreadsheet_row(index: int) -> int:
    """Spreadsheet row of data row `index` (header is row 1; one empty line after data row 60)."""
    return index + 2 + (1 if index > 60 else 0)


def test_post_export_reports_exactly_the_bad_rows_and_imports_the_rest(org):
    result = run(org, post_export(), mode="all-valid", group_by="narrative")
    plan = result.plan
    assert plan.total_rows == 200
    assert plan.error_rows == sorted(_spreadsheet_row(i) for i in BAD_ROWS)
    by_row = {error.row: error for error in plan.errors}
    assert by_row[_spreadsheet_row(5)].column == "Date"
    assert by_row[_spreadsheet_row(29)].column == "URL" and "http" in by_row[_spreadsheet_row(29)].message
    assert by_row[_spreadsheet_row(77)].column == "Country"
    assert by_row[_spreadsheet_row(89)].column == "Narrative"
    assert result.imported and result.created == 4
    trends = {t.title: t for t in db.session.scalars(select(Trend))}
    assert set(trends) == set(NARRATIVES)
    gloom = trends["Gloomtide housing"]
    assert gloom.keywords == ["gloomtide"] and "#Tag0" in gloom.hashtags and gloom.regions == ["GB"]
    assert db.session.scalar(select(func.count(Evidence.id))) == 188
    total = db.session.scalar(select(func.sum(Observation.count)))
    assert total == 188  # one count per valid post, grouped per day
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trend.imported"))


def test_post_export_reimport_changes_nothing(org):
    run(org, post_export(), mode="all-valid", group_by="narrative")
    before = counts()
    observation_values = sorted(db.session.execute(select(Observation.observed_on, Observation.count)).all())
    result = run(org, post_export(), mode="all-valid", group_by="narrative")
    assert result.created == 0 and result.updated == 4 and result.evidence_added == 0
    assert counts() == before
    assert (
        sorted(db.session.execute(select(Observation.observed_on, Observation.count)).all())
        == observation_values
    )


def test_post_export_semicolon_grouped_by_keyword(org):
    result = run(org, post_export(";"), mode="all-valid", group_by="keyword")
    assert result.created == 4
    assert {t.title for t in db.session.scalars(select(Trend))} == set(KEYWORDS)


def test_none_if_errors_leaves_the_database_unchanged(org, make_trend):
    make_trend("Already here")
    before = counts()
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    result = run(org, post_export(), mode="none-if-errors", group_by="narrative")
    assert not result.imported and len(result.plan.error_rows) == 12
    assert counts() == before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before


def test_trend_shape_csv_with_bom_and_reimport(org):
    data = (FIXTURES / "trends_bom_comma.csv").read_bytes()
    result = run(org, data, shape="trend", mode="none-if-errors")
    assert result.imported and result.created == 2 and not result.plan.errors
    trend = db.session.scalar(select(Trend).where(Trend.external_id == "T-1"))
    assert trend.platforms == ["x", "telegram"] and trend.hashtags == ["#GloomtideRising"]
    assert trend.first_seen_at.date() == date(2024, 3, 1)
    again = run(org, data, shape="trend", mode="none-if-errors")
    assert again.created == 0 and again.updated == 2 and counts()[0] == 2


def test_semicolon_day_month_year_empty_lines_and_quoted_newlines(org):
    data = (FIXTURES / "trends_semicolon_dmy.csv").read_bytes()
    table = importing.read_table(data, "f.csv", max_bytes=LIMIT)
    assert table.delimiter == ";" and len(table.rows) == 2
    assert "\n" in table.rows[0][1]["Résumé"]
    mapping = importing.suggest_mapping(table.columns, "trend")
    assert mapping["title"] == "Titre" and mapping["severity"] == "Gravité"
    mapping["first_seen_at"] = "Date"
    result = run(org, data, shape="trend", mapping=mapping, mode="none-if-errors")
    assert result.created == 2
    trend = db.session.scalar(select(Trend).where(Trend.title == "Marées grises"))
    assert trend.first_seen_at.date() == date(2024, 3, 5) and trend.severity == 3 and trend.regions == ["FR"]


def test_json_with_a_bad_row_all_valid(org):
    data = (FIXTURES / "trends.json").read_bytes()
    mapping = {
        "title": "title",
        "external_id": "id",
        "severity": "severity",
        "keywords": "keywords",
        "languages": "languages",
    }
    result = run(org, data, "trends.json", shape="trend", mapping=mapping, mode="all-valid")
    assert result.created == 1
    assert [(e.row, e.column) for e in result.plan.errors] == [(2, "severity")]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"x" * (LIMIT + 1), "big.csv", "limit is 5.0 MB"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "not a CSV or JSON"),
        ((FIXTURES / "not_a_table.txt").read_bytes(), "notes.txt", "does not look like a CSV"),
        (b"", "empty.csv", "empty"),
        (b"\n\n  \n", "blank.csv", "empty"),
        (b'{"trends": [1, 2', "broken.json", "not valid"),
        ("title,summary\nCaf\xe9,x\n".encode("latin-1"), "latin1.csv", "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_clearly(org, data, filename, message):
    before = counts()
    with pytest.raises(importing.ImportFileError) as error:
        importing.read_table(data, filename, max_bytes=LIMIT)
    assert message in str(error.value)
    assert counts() == before


def test_row_with_extra_cells_is_reported(org):
    data = b"title,severity\nGood,2\nBad,2,oops,more\n"
    result = run(org, data, shape="trend", mode="all-valid")
    assert result.created == 1 and [e.row for e in result.plan.errors] == [3]


def test_missing_required_mapping_is_a_file_level_error(org):
    data = b"name_of_thing,severity\nA,2\n"
    result = run(org, data, shape="trend", mapping={"severity": "severity"}, mode="all-valid")
    assert not result.imported and result.plan.file_errors and counts()[0] == 0


# Through the pages ---------------------------------------------------------------------------------


def _upload(client, data: bytes, filename: str, **fields):
    return client.post(
        "/trends/import",
        data={"file": (io.BytesIO(data), filename), "source": "monitor", **fields},
        content_type="multipart/form-data",
    )


def test_page_flow_fix_mapping_then_import_the_rest(client, auth, staff, app):
    auth.login(staff)
    response = _upload(client, post_export(), "export.csv", shape="auto")
    assert response.status_code == 302
    map_url = response.headers["Location"]
    page = client.get(map_url).get_data(as_text=True)
    assert "One row is one detected post" in page and "12 rows affected" in page
    token = map_url.split("/import/")[1].split("?")[0]
    wrong = {
        "shape": "post",
        "map_date": "Date",
        "map_text": "Text",
        "map_narrative": "Language",
        "group_by": "narrative",
        "mode": "all-valid",
        "source": "monitor",
    }
    preview = client.post(f"/trends/import/{token}", data={**wrong, "action": "preview"}).get_data(
        as_text=True
    )
    assert "They make 3 trends" in preview  # grouped by the wrong column: en, fr, english
    fixed = {
        **wrong,
        "map_narrative": "Narrative",
        "map_url": "URL",
        "map_country": "Country",
        "map_engagement": "Engagement",
        "map_language": "Language",
        "map_platform": "Platform",
        "map_keyword": "Matched keyword",
    }
    result = client.post(f"/trends/import/{token}", data={**fixed, "action": "import"})
    body = result.get_data(as_text=True)
    assert result.status_code == 200 and "4 new trends" in body and "12 rows were skipped" in body
    assert str(_spreadsheet_row(29)) in body and "URL" in body
    board = client.get("/trends/").get_data(as_text=True)
    assert (
        all(name in board for name in ("Gloomtide housing", "Hollowmark gathering")) and "<polyline" in board
    )
    stored = db.session.scalar(select(ImportMapping))
    assert stored.mapping["narrative"] == "Narrative"
    again = _upload(client, post_export(), "export.csv", shape="post")
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert 'value="Matched keyword" selected' in page


def test_page_refuses_too_large_and_non_tables(client, auth, staff, app):
    app.config["COUNTERPOINT_IMPORT_MAX_BYTES"] = 1000
    auth.login(staff)
    response = _upload(client, b"a,b\n" + b"1,2\n" * 400, "big.csv")
    assert response.status_code == 400 and "the limit is 1 KB" in response.get_data(as_text=True)
    response = _upload(client, (FIXTURES / "not_a_table.txt").read_bytes(), "notes.txt")
    assert response.status_code == 400 and "does not look like a CSV" in response.get_data(as_text=True)


def test_upload_of_another_person_is_404(client, auth, staff, make_user, org):
    from app.accounts.models import Role

    auth.login(staff)
    location = _upload(client, (FIXTURES / "trends_bom_comma.csv").read_bytes(), "t.csv").headers["Location"]
    auth.logout()
    auth.login(make_user(Role.STAFF, org=org))
    assert client.get(location).status_code == 404


def test_none_mode_through_the_page_keeps_database(client, auth, staff):
    auth.login(staff)
    location = _upload(client, post_export(), "export.csv", shape="post").headers["Location"]
    token = location.split("/import/")[1].split("?")[0]
    fields = {
        "shape": "post",
        "map_date": "Date",
        "map_text": "Text",
        "map_narrative": "Narrative",
        "map_url": "URL",
        "map_country": "Country",
        "group_by": "narrative",
        "mode": "none-if-errors",
        "action": "import",
    }
    body = client.post(f"/trends/import/{token}", data=fields).get_data(as_text=True)
    assert "Nothing was imported" in body and counts() == (0, 0, 0)


# CLI -----------------------------------------------------------------------------------------------


def test_cli_import_with_row_report(runner, org, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(post_export())
    result = runner.invoke(
        args=["trends", "import", str(path), "--org", org.slug, "--shape", "post", "--group-by", "narrative"]
    )
    assert result.exit_code == 1 and "Nothing imported" in result.output
    assert f"row {_spreadsheet_row(29)}, column 'URL'" in result.output and counts() == (0, 0, 0)
    result = runner.invoke(
        args=[
            "trends",
            "import",
            str(path),
            "--org",
            org.slug,
            "--shape",
            "post",
            "--group-by",
            "narrative",
            "--mode",
            "all-valid",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Imported: 4 new trends" in result.output


def test_cli_refuses_unreadable_file(runner, org):
    result = runner.invoke(args=["trends", "import", str(FIXTURES / "not_a_table.txt"), "--org", org.slug])
    assert result.exit_code != 0 and "CSV" in result.output


def test_cli_json_file(runner, org):
    data = json.dumps([{"title": "From the CLI", "severity": 2}]).encode()
    path = FIXTURES.parent / "imports" / "trends.json"
    assert path.exists()
    result = runner.invoke(
        args=[
            "trends",
            "import",
            str(path),
            "--org",
            org.slug,
            "--mode",
            "all-valid",
            "--map",
            "external_id=id",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Trend.id))) == 1
    assert data
