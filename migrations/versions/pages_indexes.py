"""Pages at coalition scale (issue 15): each post keeps its message's campaign, so who sees a post is
decided on the post's own columns; indexes for counts of a status in the campaigns or on the channels
a person sees, read from an index alone.

Revision ID: pages01
Revises: findings01
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'pages01'
down_revision = 'findings01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_status_campaign', ['status', 'campaign_id', 'created_by_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE posts SET campaign_id = (SELECT messages.campaign_id FROM messages WHERE messages.id = posts.message_id)"
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.alter_column('campaign_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_posts_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'])
        batch_op.drop_index('ix_posts_calendar')
        batch_op.create_index('ix_posts_calendar', ['scheduled_at', 'status', 'channel_id', 'campaign_id'], unique=False)
        batch_op.create_index('ix_posts_status_channel_campaign', ['status', 'channel_id', 'campaign_id'], unique=False)
        batch_op.create_index('ix_posts_channel_status_scheduled', ['channel_id', 'status', 'scheduled_at'], unique=False)
        batch_op.create_index('ix_posts_campaign_status_scheduled', ['campaign_id', 'status', 'scheduled_at'], unique=False)


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_campaign_status_scheduled')
        batch_op.drop_index('ix_posts_channel_status_scheduled')
        batch_op.drop_index('ix_posts_status_channel_campaign')
        batch_op.drop_index('ix_posts_calendar')
        batch_op.create_index('ix_posts_calendar', ['scheduled_at', 'status', 'channel_id', 'message_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_posts_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_column('campaign_id')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_status_campaign')
