"""waiting room, presale codes, staff actions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sale_opens_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('waiting_room', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('admit_per_minute', sa.Integer(), server_default='200', nullable=False))
        batch_op.add_column(sa.Column('max_shoppers', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pass_minutes', sa.Integer(), server_default='15', nullable=False))
        batch_op.add_column(sa.Column('early_minutes', sa.Integer(), server_default='30', nullable=False))

    op.create_table('presale_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('seat_cap', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=True),
    sa.Column('valid_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'code')
    )
    with op.batch_alter_table('presale_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presale_codes_event_id'), ['event_id'], unique=False)

    op.create_table('presale_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['presale_codes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_id', 'customer_id')
    )
    with op.batch_alter_table('presale_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presale_redemptions_code_id'), ['code_id'], unique=False)

    op.create_table('staff_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_actions_event_id'), ['event_id'], unique=False)


def downgrade():
    op.drop_table('staff_actions')
    op.drop_table('presale_redemptions')
    op.drop_table('presale_codes')
    with op.batch_alter_table('events', schema=None) as batch_op:
        for column in ('early_minutes', 'pass_minutes', 'max_shoppers', 'admit_per_minute',
                       'waiting_room', 'sale_opens_at'):
            batch_op.drop_column(column)
