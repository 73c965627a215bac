"""Tokens, settings, the guide catalogue and raw events.

The tables are frozen here as they were when this migration was written, so
that later model changes never change what this migration creates.
"""
from peewee import (AutoField, CharField, DateTimeField, ForeignKeyField, IntegerField,
                    Model, TextField)


def upgrade(db, migrator):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Setting(Base):
        key = CharField(primary_key=True, max_length=100)
        value = TextField()

    class Token(Base):
        id = AutoField()
        role = CharField(max_length=20)
        token_hash = CharField(max_length=64, unique=True)
        prefix = CharField(max_length=16, index=True)
        label = CharField(max_length=200, default="")
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)

    class Guide(Base):
        id = CharField(primary_key=True, max_length=100)
        status = CharField(max_length=20, default="published")
        latest_version = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()

    class GuideVersion(Base):
        id = AutoField()
        guide = ForeignKeyField(Guide, column_name="guide_id", on_delete="CASCADE")
        version = IntegerField()
        document = TextField()
        published_at = DateTimeField()

        class Meta:
            indexes = ((("guide", "version"), True),)

    class Event(Base):
        id = CharField(primary_key=True, max_length=64)
        type = CharField(max_length=32)
        guide_id = CharField(max_length=100)
        guide_version = IntegerField()
        step_id = CharField(max_length=100, null=True)
        step_index = IntegerField(null=True)
        run_id = CharField(max_length=64)
        user = CharField(max_length=200)
        role = CharField(max_length=100, null=True)
        url = TextField(null=True)
        at = DateTimeField()
        duration_ms = IntegerField(null=True)
        reason = CharField(max_length=32, null=True)
        wait_ms = IntegerField(null=True)
        detail = TextField(null=True)
        received_at = DateTimeField()

        class Meta:
            indexes = ((("guide_id", "at"), False), (("run_id", "at"), False))

    db.create_tables([Setting, Token, Guide, GuideVersion, Event])
