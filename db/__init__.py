"""Persistence: SQLAlchemy models, engine, read queries and Alembic migrations."""
