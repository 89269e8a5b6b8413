"""Alembic environment: migrations run on the connection the store hands over."""

from __future__ import annotations

from alembic import context

from hustings.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when a developer runs the alembic CLI
    from sqlalchemy import create_engine

    from hustings.store.database import database_url

    connection = create_engine(database_url()).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
