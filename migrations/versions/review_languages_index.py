"""The review queue's language filter read from an index alone (issue 15): messages by status, campaign
and language.

Revision ID: review01
Revises: pages01
Create Date: 2026-11-29 16:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'review01'
down_revision = 'pages01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(
            'ix_messages_status_campaign_language', ['status', 'campaign_id', 'language'], unique=False
        )


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_status_campaign_language')
