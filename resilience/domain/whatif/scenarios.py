"""Saved what-if scenarios: save one as computed, list them, find one, attach it to an exercise."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain import text_rules
from resilience.domain.whatif.inputs import WhatIfInputError, WhatIfInputs
from resilience.storage.models import Exercise, WhatIfScenario


def save_scenario(
    session: Session,
    *,
    name: str,
    inputs: WhatIfInputs,
    result: dict[str, Any],
    author: str,
    exercise_id: int | None = None,
) -> WhatIfScenario:
    """Return a new scenario (flushed, not committed); WhatIfInputError for a bad name/exercise."""
    name = name.strip()
    problem = text_rules.text_problem(name, multi_line=False)
    if not name:
        raise WhatIfInputError({"name": "Name the scenario"})
    if problem is not None:
        raise WhatIfInputError({"name": f"The name {problem}"})
    if exercise_id is not None and session.get(Exercise, exercise_id) is None:
        raise WhatIfInputError({"exercise_id": "Choose an exercise from the list"})
    scenario = WhatIfScenario(
        name=name,
        hazard_ref=inputs.hazard_ref,
        exercise_id=exercise_id,
        author=author,
        inputs=inputs.to_json(),
        results=result,
    )
    session.add(scenario)
    session.flush()
    return scenario


def list_scenarios(session: Session) -> list[WhatIfScenario]:
    """Return every saved scenario, newest first."""
    query = select(WhatIfScenario).order_by(
        WhatIfScenario.created_at.desc(), WhatIfScenario.id.desc()
    )
    return list(session.scalars(query))


def scenarios_of_exercise(session: Session, exercise_id: int) -> list[WhatIfScenario]:
    """Return the scenarios attached to an exercise, oldest first."""
    query = (
        select(WhatIfScenario)
        .where(WhatIfScenario.exercise_id == exercise_id)
        .order_by(WhatIfScenario.created_at, WhatIfScenario.id)
    )
    return list(session.scalars(query))
