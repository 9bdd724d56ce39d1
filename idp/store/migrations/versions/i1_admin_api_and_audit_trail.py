"""admin API: operator clients, idempotency keys, and the audit trail in the database

Revision ID: i1a2d3m4i5n6
Revises: g1a5f0c2e7d9
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i1a2d3m4i5n6'
down_revision = 'g1a5f0c2e7d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant', sa.String(length=32), nullable=True),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_time'), ['time'], unique=False)
    op.create_table('operator_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=False),
    sa.Column('tenants', sa.JSON(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_operator_clients_client_id'))
    )
    op.create_table('admin_requests',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_admin_requests'))
    )
    with op.batch_alter_table('admin_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_requests_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('admin_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_requests_created_at'))
    op.drop_table('admin_requests')
    op.drop_table('operator_clients')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_time'))
        batch_op.drop_index(batch_op.f('ix_audit_events_tenant'))
        batch_op.drop_index(batch_op.f('ix_audit_events_account_id'))
    op.drop_table('audit_events')
