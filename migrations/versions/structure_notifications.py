"""Notifications rendered when read (kind + params; older rows keep their text); CHECK on status columns.

Revision ID: structure01
Revises: f4c19a16a33e
Create Date: 2026-11-29 12:30:00

Rows written before this revision have params NULL and show legacy_subject / legacy_body, the text
they were composed with; new rows store only the kind and its parameters.
The status columns of trends, campaigns, messages and posts get a CHECK constraint listing their
enum's values (the models declare them with app.common.types.enum_column). A branch that adds a
status value must drop and re-create the constraint in its own migration.
"""
from alembic import op
import sqlalchemy as sa


revision = "structure01"
down_revision = "f4c19a16a33e"
branch_labels = None
depends_on = None


STATUS_VALUES = {
    "trends": ("trend_status", ("new", "monitoring", "responding", "escalated", "closed")),
    "campaigns": ("campaign_status", ("planning", "active", "paused", "completed", "archived")),
    "messages": (
        "message_status",
        ("draft", "in_review", "changes_requested", "approved", "rejected", "archived"),
    ),
    "posts": (
        "post_status",
        (
            "awaiting_partner", "queued", "sending", "posted", "unknown_outcome", "failed", "missed", "held",
            "cancelled",
        ),
    ),
}


def upgrade():
    for table, (name, values) in STATUS_VALUES.items():
        allowed = ", ".join(f"'{value}'" for value in values)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), f"status IN ({allowed})")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("subject", new_column_name="legacy_subject", existing_type=sa.String(length=300),
                              nullable=True)
        batch_op.alter_column("body", new_column_name="legacy_body", existing_type=sa.Text(), nullable=True)
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade():
    for table, (name, _values) in STATUS_VALUES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    op.execute("UPDATE notifications SET legacy_subject = kind WHERE legacy_subject IS NULL")
    op.execute("UPDATE notifications SET legacy_body = '' WHERE legacy_body IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.alter_column("legacy_body", new_column_name="body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("legacy_subject", new_column_name="subject", existing_type=sa.String(length=300),
                              nullable=False)
