"""pushed authorization requests and DPoP: per-client switches, refresh tokens bound to a key

Revision ID: k1a9c3e5f7b2
Revises: d3b5e1f7a2c4
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'k1a9c3e5f7b2'
down_revision = 'd3b5e1f7a2c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_pushed_authorization_requests', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('dpop_bound_access_tokens', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dpop_jkt', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.drop_column('dpop_jkt')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('dpop_bound_access_tokens')
        batch_op.drop_column('require_pushed_authorization_requests')
