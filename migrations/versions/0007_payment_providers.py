"""payments name their provider (test or stripe) and the provider's own id and state

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provider", sa.String(length=10), nullable=False, server_default="test")
        )
        batch_op.add_column(sa.Column("provider_ref", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("provider_status", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="GBP")
        )
        batch_op.create_index(batch_op.f("ix_payments_provider_ref"), ["provider_ref"], unique=True)


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_provider_ref"))
        batch_op.drop_column("currency")
        batch_op.drop_column("provider_status")
        batch_op.drop_column("provider_ref")
        batch_op.drop_column("provider")
