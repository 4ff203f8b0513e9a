"""The SQLite database: schema, migrations, and every write."""

from runwear.store.database import StoreError, known_migrations, memory_db, open_db
from runwear.store.settings import Settings, load_settings

__all__ = ["Settings", "StoreError", "known_migrations", "load_settings", "memory_db", "open_db"]
