"""tickets name the form of their code: 1 (HMAC, sold before) or 2 (Ed25519)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:30:00

Tickets already sold keep their HF1 codes (printed, emailed, in wallets): they get 1.
New tickets get 2.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_seats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_form', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('booking_seats', schema=None) as batch_op:
        batch_op.alter_column('code_form', server_default='2')


def downgrade():
    with op.batch_alter_table('booking_seats', schema=None) as batch_op:
        batch_op.drop_column('code_form')
