"""Adopting a healed target: the step's target becomes the element healing found.

When a step is shown by healing (the extension's ``step_shown`` says
``matched_by: healed``), it sends the element's fresh target: a selector built
by the element picker's rules, its text when stable, and fresh descriptions
(``describe``). Adopting publishes a new version of the guide with that target
in place of the step's old one, so the next runs match by selector again.
"""
import copy

from . import catalogue
from .reports.targets import latest_healed_target
from .schemas.guide import check_guide


class NothingToAdopt(LookupError):
    """No healed show to adopt from, or no such step; ``message`` says which."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def adopt_healed_target(guide_id, step_id):
    """Publish the guide with ``step_id``'s target replaced by its latest healed one.

    Returns ``{"id", "version", "created", "step_id", "target"}``; raises
    catalogue.GuideNotFound for an unknown guide, NothingToAdopt for an unknown
    step or one never healed, ValueError if the result would not validate.
    """
    latest = catalogue.latest(guide_id)
    document = copy.deepcopy({key: value for key, value in latest.items()
                              if key not in ("version", "status")})
    steps = [step for step in document["steps"] if step["id"] == step_id]
    if not steps:
        raise NothingToAdopt(f"Guide {guide_id!r} (version {latest['version']}) has no step "
                             f"{step_id!r}.")
    healed = latest_healed_target(guide_id, step_id)
    if healed is None:
        raise NothingToAdopt(f"Step {step_id!r} of guide {guide_id!r} was never shown by "
                             "healing: there is no healed target to adopt.")
    steps[0]["target"] = healed
    errors = check_guide(document)["errors"]
    if errors:
        raise ValueError(f"the healed target does not validate: {errors[0]['path']}: "
                         f"{errors[0]['message']}")
    version, created = catalogue.publish(document)
    return {"id": guide_id, "version": version, "created": created, "step_id": step_id,
            "target": healed}
