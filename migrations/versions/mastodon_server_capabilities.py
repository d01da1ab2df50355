"""Channels remember their server software and version; platform sessions shared by all processes.

Revision ID: mastodon01
Revises: structure02
Create Date: 2026-11-29 12:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = 'mastodon01'
down_revision = 'structure02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('server_software', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('server_version', sa.String(length=64), nullable=True))
    op.create_table(
        'channel_sessions',
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('session_encrypted', sa.Text(), nullable=True),
        sa.Column('expires_at', app.common.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_at', app.common.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_sessions_channel_id_channels'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_channel_sessions')),
    )


def downgrade():
    op.drop_table('channel_sessions')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('server_version')
        batch_op.drop_column('server_software')
