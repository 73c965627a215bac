"""Waymark: in-app guidance for the web tools a company already uses.

The data flows guide JSON → schemas (validation) → catalogue (storage, matching)
→ api (serving) → extension → events → ingest → runs → reports → dashboard.
"""
import re

from flask import Flask
from flask_cors import CORS

from . import config as config_module

# The extension calls from its own origin; anything else must be configured.
EXTENSION_ORIGINS = [re.compile(r"^chrome-extension://[a-p]{32}$"),
                     re.compile(r"^moz-extension://[0-9a-f-]{36}$")]


def create_app(test_config=None):
    """Build the Flask app: config, database, CORS, error handlers, blueprints."""
    app = Flask(__name__)
    # Flask answers "//" in a path (also sent as %2F%2F) with a redirect, before any token
    # is checked; such a path is simply not one of ours (404).
    app.url_map.merge_slashes = False
    app.config.update(config_module.from_environment())
    if test_config:
        app.config.update(test_config)
    app.json.sort_keys = False

    from . import db, errors, settings
    db.init_app(app)
    errors.init_app(app)
    if not app.config.get("SECRET_KEY"):
        with db.database.connection_context():
            app.config["SECRET_KEY"] = settings.secret_key()

    CORS(app, resources={r"/api/*": {"origins": EXTENSION_ORIGINS + app.config["CORS_ORIGINS"]}},
         expose_headers=["ETag"], allow_headers=["Authorization", "Content-Type", "If-None-Match"])

    from .api import events, guides, health, openapi, reports
    for module in (health, guides, events, reports, openapi):
        app.register_blueprint(module.bp)
    from . import dashboard
    dashboard.init_app(app)
    return app
