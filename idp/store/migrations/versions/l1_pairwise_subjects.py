"""pairwise subject identifiers: clients' subject type and sector, pairwise subs issued

Existing clients get subject_type "public": their users' sub stays the account id until an
operator changes the client (README, "Identifiants pairwise").

Revision ID: l1a7c3e9d2f5
Revises: k1a9c3e5f7b2
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'l1a7c3e9d2f5'
down_revision = "k1a9c3e5f7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sa.String(length=10), server_default='public', nullable=False))
        batch_op.add_column(sa.Column('sector_identifier_uri', sa.Text(), nullable=True))

    op.create_table('pairwise_subjects',
    sa.Column('sub', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('sub', name=op.f('pk_pairwise_subjects'))
    )
    with op.batch_alter_table('pairwise_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairwise_subjects_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairwise_subjects_tenant'), ['tenant'], unique=False)


def downgrade():
    with op.batch_alter_table('pairwise_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairwise_subjects_tenant'))
        batch_op.drop_index(batch_op.f('ix_pairwise_subjects_account_id'))

    op.drop_table('pairwise_subjects')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('sector_identifier_uri')
        batch_op.drop_column('subject_type')
