"""Acme Expenses, the demo web app (server.py; also run as a script by the demo)."""
