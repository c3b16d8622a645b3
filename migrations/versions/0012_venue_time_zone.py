"""venues name their time zone (an IANA name); none means the app's TIME_ZONE

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:20:00

Times are stored in UTC as before; a venue's zone only says how they are shown to
customers and read from staff forms.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('venues', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
