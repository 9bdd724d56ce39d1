"""authorization codes bound to a DPoP key (RFC 9449 §10: a proof at /par, or dpop_jkt)

Codes issued before have none: they are exchanged as before.

Revision ID: m1d9a4c6e8f0
Revises: i1a2d3m4i5n6
Create Date: 2026-12-01 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm1d9a4c6e8f0'
down_revision = 'i1a2d3m4i5n6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('authorization_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dpop_jkt', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('authorization_codes', schema=None) as batch_op:
        batch_op.drop_column('dpop_jkt')
