"""Schema-driven fuzzing of the real service: schemathesis's hooks and configuration (issue 10)."""
