"""Alembic migrations of the store (run by `planner.store.db.migrate`)."""
