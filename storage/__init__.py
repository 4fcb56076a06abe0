"""Storage: SQLAlchemy models, migrations runner and the SQL store."""
