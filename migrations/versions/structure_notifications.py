"""Notifications are rendered when read: store kind + params; older rows keep their composed text.

Revision ID: structure01
Revises: f4c19a16a33e
Create Date: 2026-11-29 12:30:00

Rows written before this revision have params NULL and show legacy_subject / legacy_body, the text
they were composed with; new rows store only the kind and its parameters.
"""
from alembic import op
import sqlalchemy as sa


revision = "structure01"
down_revision = "f4c19a16a33e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("subject", new_column_name="legacy_subject", existing_type=sa.String(length=300),
                              nullable=True)
        batch_op.alter_column("body", new_column_name="legacy_body", existing_type=sa.Text(), nullable=True)
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade():
    op.execute("UPDATE notifications SET legacy_subject = kind WHERE legacy_subject IS NULL")
    op.execute("UPDATE notifications SET legacy_body = '' WHERE legacy_body IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.alter_column("legacy_body", new_column_name="body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("legacy_subject", new_column_name="subject", existing_type=sa.String(length=300),
                              nullable=False)
