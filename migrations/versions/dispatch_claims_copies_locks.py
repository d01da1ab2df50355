"""Publishing that holds: may-be-live flag and held codes on posts, copies found on the platform,
per-channel and per-server dispatch locks, and the claim indexes (status + scheduled_at / lease).

Revision ID: dispatch01
Revises: perf01
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = 'dispatch01'
down_revision = 'perf01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dispatch_locks',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('expires_at', app.common.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hold_until', app.common.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_dispatch_locks'))
    )
    op.create_table('post_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('remote_id', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('is_kept', sa.Boolean(), nullable=False),
    sa.Column('found_at', app.common.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', app.common.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_post_copies_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_copies_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_copies')),
    sa.UniqueConstraint('post_id', 'remote_id', name=op.f('uq_post_copies_post_id_remote_id'))
    )
    with op.batch_alter_table('post_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_copies_post_id'), ['post_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('may_be_live', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_posts_status_lease_expires_at', ['status', 'lease_expires_at'], unique=False)
    # Posts whose last attempt may have landed keep that knowledge in the new flag.
    op.execute(
        "UPDATE posts SET may_be_live = true WHERE status IN ('queued', 'sending', 'unknown_outcome') "
        "AND id IN (SELECT post_id FROM post_attempts "
        "WHERE outcome IN ('started', 'unknown', 'server_error', 'error', 'lease_expired'))"
    )


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_status_lease_expires_at')
        batch_op.drop_column('may_be_live')
        batch_op.drop_column('held_code')

    with op.batch_alter_table('post_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_copies_post_id'))

    op.drop_table('post_copies')
    op.drop_table('dispatch_locks')
