"""lower(email) lookups and the codes of a session are indexed

Revision ID: a2d7e4b1c9f3
Revises: a1c0f5e2d9b4
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2d7e4b1c9f3'
down_revision = 'a1c0f5e2d9b4'
branch_labels = None
depends_on = None


def upgrade():
    # an expression index, on SQLite (3.9+) and PostgreSQL alike: login by email, "email
    # already in use" and "identifiant oublié" compare lower(email) within a tenant
    op.create_index('ix_accounts_tenant_lower_email', 'accounts', ['tenant', sa.text('lower(email)')], unique=False)
    op.create_index(op.f('ix_authorization_codes_sid'), 'authorization_codes', ['sid'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_authorization_codes_sid'), table_name='authorization_codes')
    op.drop_index('ix_accounts_tenant_lower_email', table_name='accounts')
