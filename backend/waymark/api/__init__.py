"""Thin HTTP views: parse with schemas, call the module that owns the work, answer JSON."""
