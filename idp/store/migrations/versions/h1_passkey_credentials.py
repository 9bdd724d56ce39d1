"""passkeys: WebAuthn credentials of accounts (issue 16)

Revision ID: h1a7c3e5b9d2
Revises: l1a7c3e9d2f5
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h1a7c3e5b9d2'
down_revision = 'l1a7c3e9d2f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('passkey_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=1400), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('sign_count', sa.Integer(), nullable=False),
    sa.Column('transports', sa.JSON(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('tenant', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_passkey_credentials_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey_credentials')),
    sa.UniqueConstraint('tenant', 'credential_id', name=op.f('uq_passkey_credentials_tenant'))
    )
    with op.batch_alter_table('passkey_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_credentials_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_passkey_credentials_tenant'), ['tenant'], unique=False)


def downgrade():
    with op.batch_alter_table('passkey_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkey_credentials_tenant'))
        batch_op.drop_index(batch_op.f('ix_passkey_credentials_account_id'))

    op.drop_table('passkey_credentials')
