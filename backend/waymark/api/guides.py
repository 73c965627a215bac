"""TODO: filled in by the engineer who owns this resource."""
from flask import Blueprint

bp = Blueprint("guides", __name__)
