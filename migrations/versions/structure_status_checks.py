"""CHECK constraints on the status columns of trends, campaigns, messages and posts.

Revision ID: structure02
Revises: outcomes01
Create Date: 2026-11-29 12:50:00

The models declare these columns with app.common.types.enum_column (Enum, native_enum=False), whose
CHECK lists the enum's values. A branch that adds a status value must drop and re-create the
constraint in its own migration.
"""
from alembic import op


revision = "structure02"
down_revision = "outcomes01"
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


def downgrade():
    for table, (name, _values) in STATUS_VALUES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
