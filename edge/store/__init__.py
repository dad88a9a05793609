"""The box's SQLite store: tables, migrations, engines and the outbox."""
