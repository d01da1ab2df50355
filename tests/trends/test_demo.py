"""The demo seeder: synthetic trends for demo-ngo, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import seed_demo
from app.extensions import db
from app.trends.models import Evidence, Observation, Trend


def test_seed_demo_creates_trends_once(app):
    seed_demo("demo-password-123")
    first = tuple(db.session.scalar(select(func.count(m.id))) for m in (Trend, Evidence, Observation))
    assert first[0] == 4 and first[2] == 4 * 14 and 8 <= first[1] <= 12
    assert {t.severity for t in db.session.scalars(select(Trend))} == {2, 3, 4}
    assert {lang for t in db.session.scalars(select(Trend)) for lang in t.languages} == {"en", "fr"}
    seed_demo("demo-password-123")
    assert tuple(db.session.scalar(select(func.count(m.id))) for m in (Trend, Evidence, Observation)) == first
