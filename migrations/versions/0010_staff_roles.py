"""staff roles, the events an account reaches, disabled accounts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:00:00

Accounts from before roles could do everything: they become admins, so nobody is
locked out by the upgrade (an admin then narrows them on /staff/team).
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='admin'))
        batch_op.add_column(sa.Column('all_events', sa.Boolean(), nullable=False, server_default=sa.text('true')))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.text('true')))
    op.create_table(
        'staff_events',
        sa.Column('staff_user_id', sa.Integer(), sa.ForeignKey('staff_users.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('event_id', sa.Integer(), sa.ForeignKey('events.id', ondelete='CASCADE'), primary_key=True),
    )


def downgrade():
    op.drop_table('staff_events')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('active')
        batch_op.drop_column('all_events')
        batch_op.drop_column('role')
