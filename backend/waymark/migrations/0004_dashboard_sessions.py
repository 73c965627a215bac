"""Dashboard sessions get a table of their own (they lived in ``setting`` under a key prefix).

Sessions recorded before this migration are dropped: their holders sign in again.
"""
from peewee import CharField, DateTimeField, IntegerField, Model, TextField


def upgrade(db, migrator):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Setting(Base):
        key = CharField(primary_key=True, max_length=100)
        value = TextField()

    class DashboardSession(Base):
        session_hash = CharField(primary_key=True, max_length=64)
        token_id = IntegerField(index=True)
        created_at = DateTimeField()
        expires_at = DateTimeField(index=True)

    db.create_tables([DashboardSession])
    Setting.delete().where(Setting.key.startswith("dashboard_session:")).execute()
