"""The served form of each guide version, rendered once at publish time.

Rendering step bodies (Markdown → body_nodes and sanitised HTML) costs about a
millisecond each; rendering every guide again whenever a process rebuilds its
catalogue cache took seconds at 1,000 guides. ``served`` holds the guide as
GET /api/v1/guides serves it; NULL means "render when read" (rows published
before this migration, or after a change of the served shape clears it).
"""
from peewee import TextField
from playhouse.migrate import migrate


def upgrade(db, migrator):
    migrate(migrator.add_column("guide_version", "served", TextField(null=True)))
