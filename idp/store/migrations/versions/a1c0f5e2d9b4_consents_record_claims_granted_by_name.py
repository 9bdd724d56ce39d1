"""consents record the claims granted by name

Revision ID: a1c0f5e2d9b4
Revises: c41d2e9a7b02
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0f5e2d9b4'
down_revision = 'c41d2e9a7b02'
branch_labels = None
depends_on = None


def upgrade():
    # consents given before this revision granted scopes only: no claim by name
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claims', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('claims')
