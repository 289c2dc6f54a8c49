"""Plans, their versions, reviews and exercises, and the duties dashboard: one "plans" blueprint.

The blueprint is made in `blueprint`; `views` (plans), `letters`, `extensions`, `consultations`,
`exercises` and `duties` add their routes to it, so endpoint names such as "plans.duties" do not
depend on which module holds the view. Importing this package imports them all.
"""

from resilience.web.plans import consultations, duties, exercises, extensions, letters, views
from resilience.web.plans.blueprint import bp

__all__ = ["bp", "consultations", "duties", "exercises", "extensions", "letters", "views"]
