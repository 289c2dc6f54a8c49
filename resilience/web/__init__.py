"""The web views: thin Flask blueprints over the domain services."""

from __future__ import annotations

from flask import Flask

from resilience.web import (
    admin_views,
    auth,
    auth_views,
    calendar_views,
    duty_views,  # noqa: F401 (importing it adds its routes to plan_blueprint.bp)
    errors,
    exercise_views,  # noqa: F401 (importing it adds its routes to plan_blueprint.bp)
    headers,
    home,
    layer_views,
    map_views,
    member_views,
    notification_views,
    plan_blueprint,
    plan_views,  # noqa: F401 (importing it adds its routes to plan_blueprint.bp)
    report_views,
    template_helpers,
    training_views,
    transfer_views,
)
from resilience.web.db import close_session
from resilience.web.navigation import navigation


def register_web(app: Flask) -> None:
    """Attach blueprints, error pages, security headers and the per-request session."""
    from flask_wtf import CSRFProtect

    CSRFProtect(app)
    auth.register(app)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(layer_views.bp)
    app.register_blueprint(map_views.bp)
    app.register_blueprint(transfer_views.bp)
    # One "plans" blueprint for plan_views, exercise_views and duty_views: endpoint names such as
    # "plans.duties" are the same whichever module holds the view.
    app.register_blueprint(plan_blueprint.bp)
    app.register_blueprint(notification_views.bp)
    app.register_blueprint(calendar_views.bp)
    app.register_blueprint(training_views.bp)
    app.register_blueprint(member_views.bp)
    app.register_blueprint(report_views.bp)
    errors.register(app)
    template_helpers.register(app)
    headers.register(app)
    app.teardown_appcontext(close_session)
    app.context_processor(navigation)
