"""private_key_jwt assertions remembered in the database until they expire

Revision ID: d3b5e1f7a2c4
Revises: a2d7e4b1c9f3
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3b5e1f7a2c4'
down_revision = 'a2d7e4b1c9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_assertions',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('tenant', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_used_assertions'))
    )
    with op.batch_alter_table('used_assertions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_assertions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_used_assertions_tenant'), ['tenant'], unique=False)


def downgrade():
    with op.batch_alter_table('used_assertions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_assertions_tenant'))
        batch_op.drop_index(batch_op.f('ix_used_assertions_expires_at'))

    op.drop_table('used_assertions')
