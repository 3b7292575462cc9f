"""Alembic environment: runs on the connection `planner.store.db.migrate` hands over.

There is no alembic.ini: the configuration is built in code
(`planner.store.db.alembic_config`). To start a new revision, from the repository root:

    python -c "from alembic import command; from planner.store.db import alembic_config; \
        command.revision(alembic_config(), message='what changed', rev_id='0002')"

then write its upgrade() and downgrade() by hand; `tests/store/test_migrations.py` checks
that the migrated schema matches the models.
"""

from __future__ import annotations

from alembic import context

from planner.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through planner.store.db.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
