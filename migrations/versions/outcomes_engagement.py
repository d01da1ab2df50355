"""Engagement samples per post and the trackers that schedule their collection.

Revision ID: outcomes01
Revises: structure01
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


revision = 'outcomes01'
down_revision = 'structure01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'engagement_trackers',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('polls_done', sa.Integer(), nullable=False),
        sa.Column('next_poll_at', app.common.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('updated_at', app.common.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], ),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ),
        sa.PrimaryKeyConstraint('post_id'),
    )
    with op.batch_alter_table('engagement_trackers', schema=None) as batch_op:
        batch_op.create_index('ix_engagement_trackers_due', ['state', 'next_poll_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_trackers_channel_id'), ['channel_id'], unique=False)

    op.create_table(
        'engagement_samples',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('collected_at', app.common.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('likes', sa.Integer(), nullable=False),
        sa.Column('reposts', sa.Integer(), nullable=False),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.Column('quotes', sa.Integer(), nullable=True),
        sa.Column('replies_read', sa.Integer(), nullable=True),
        sa.Column('hostile_replies', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('engagement_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_samples_post_id'), ['post_id'], unique=False)


def downgrade():
    with op.batch_alter_table('engagement_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_samples_post_id'))
    op.drop_table('engagement_samples')
    with op.batch_alter_table('engagement_trackers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_trackers_channel_id'))
        batch_op.drop_index('ix_engagement_trackers_due')
    op.drop_table('engagement_trackers')
