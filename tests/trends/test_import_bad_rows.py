"""A real-looking monitoring export with three bad rows: each is reported, none silently kept or dropped."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.trends.models import Evidence, Trend

EXPORT = (
    b"Date,Platform,Post text,URL,Language,Narrative,Shares\n"
    b"2024-03-01,x,Another gloomtide story about our street.,https://x.example/1,en,gloomtide,12\n"
    b"2024-03-01,x,,https://x.example/2,en,gloomtide,3\n"
    b"2024-03-02,telegram,Gloomtide again in the chat.,https://t.example/3,xx-notalang,gloomtide,5\n"
    b"2024-03-02,mastodon,The gloomtide pushes us out.,https://m.example/4,fr-BE,gloomtide,7\n"
)
MAPPING = {
    "shape": "post",
    "map_date": "Date",
    "map_platform": "Platform",
    "map_text": "Post text",
    "map_url": "URL",
    "map_language": "Language",
    "map_narrative": "Narrative",
    "group_by": "narrative",
    "mode": "all-valid",
    "source": "monitor",
}


def _start(client) -> str:
    response = client.post(
        "/trends/import",
        data={"file": (io.BytesIO(EXPORT), "export.csv"), "source": "monitor", "shape": "post"},
        content_type="multipart/form-data",
    )
    return response.headers["Location"].split("/import/")[1].split("?")[0]


def test_empty_text_unknown_language_and_unmapped_column_are_reported(client, auth, staff):
    auth.login(staff)
    token = _start(client)
    page = client.post(f"/trends/import/{token}", data={**MAPPING, "action": "preview"}).get_data(
        as_text=True
    )
    assert "2 of 4 rows are valid" in page
    assert "The post text is empty" in page
    assert "xx-notalang" in page and "BCP-47" in page
    assert "This column is not imported, no field matches it: Shares." in page
    # The Import button comes after the preview and the row report it depends on.
    assert page.index("Row report") < page.index('value="import"')

    client.post(f"/trends/import/{token}", data={**MAPPING, "action": "import"})
    evidence = db.session.scalars(select(Evidence)).all()
    assert len(evidence) == 2 and all(e.excerpt for e in evidence)
    assert {e.language for e in evidence} == {"en", "fr-BE"}
    trend = db.session.scalar(select(Trend))
    assert "xx-notalang" not in (trend.languages or []) and "fr-BE" in trend.languages


def test_back_or_refresh_after_importing_explains_instead_of_404(client, auth, staff):
    auth.login(staff)
    token = _start(client)
    client.post(f"/trends/import/{token}", data={**MAPPING, "action": "import"})
    again = client.post(f"/trends/import/{token}", data={**MAPPING, "action": "import"})  # refresh re-posts
    assert again.status_code == 302 and again.location.endswith("/trends/")
    assert "This import is finished" in client.get("/trends/").get_data(as_text=True)
    assert client.get(f"/trends/import/{token}").status_code == 302  # back
