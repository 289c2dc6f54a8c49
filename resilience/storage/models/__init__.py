"""Every table of the database, one module per feature; import them from here.

Importing this package imports every module, so that `Base.metadata` holds every table
(Alembic and `create_all` need all of them) and string-named relationships resolve.
"""

from resilience.storage.models.accounts import AuditEvent, SignInFailures, SignInSession, User
from resilience.storage.models.base import NAMING, Base, utcnow
from resilience.storage.models.plans import (
    Exercise,
    Lesson,
    Organisation,
    Plan,
    PlanConsultation,
    PlanLetter,
    PlanReview,
    PlanVersion,
    PolicySetting,
    exercise_participants,
    exercise_plans,
)
from resilience.storage.models.register import (
    Establishment,
    Hazard,
    Pipeline,
    RadiationPremises,
    Receptor,
    Ward,
    Zone,
    ZoneExposure,
)
from resilience.storage.models.reminders import (
    CalendarToken,
    Notification,
    ReminderClaim,
    scheduler_jobs,
)
from resilience.storage.models.training import Attendance, Invitation, TrainingSession
from resilience.storage.models.whatif import WhatIfScenario

__all__ = [
    "NAMING",
    "Attendance",
    "AuditEvent",
    "Base",
    "CalendarToken",
    "Establishment",
    "Exercise",
    "Hazard",
    "Invitation",
    "Lesson",
    "Notification",
    "Organisation",
    "Pipeline",
    "Plan",
    "PlanConsultation",
    "PlanLetter",
    "PlanReview",
    "PlanVersion",
    "PolicySetting",
    "RadiationPremises",
    "Receptor",
    "ReminderClaim",
    "SignInFailures",
    "SignInSession",
    "TrainingSession",
    "User",
    "Ward",
    "WhatIfScenario",
    "Zone",
    "ZoneExposure",
    "exercise_participants",
    "exercise_plans",
    "scheduler_jobs",
    "utcnow",
]
