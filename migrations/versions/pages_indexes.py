"""Indexes the main pages ask for at coalition scale (issue 15): counts of a status in the campaigns
or on the channels a person sees, read from an index alone.

Revision ID: pages01
Revises: dispatch01
Create Date: 2026-11-29 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'pages01'
down_revision = 'dispatch01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_status_campaign', ['status', 'campaign_id', 'created_by_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_status_channel_message', ['status', 'channel_id', 'message_id'], unique=False)
        batch_op.create_index(
            'ix_posts_channel_status_scheduled', ['channel_id', 'status', 'scheduled_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_channel_status_scheduled')
        batch_op.drop_index('ix_posts_status_channel_message')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_status_campaign')
