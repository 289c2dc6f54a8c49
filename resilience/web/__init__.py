"""The web views: thin Flask blueprints over the domain services."""

from __future__ import annotations

from flask import Flask

from resilience.web import compression, errors, headers, home, static_versions, template_helpers
from resilience.web import plans as plans_pages
from resilience.web.account import access
from resilience.web.account import views as account_views
from resilience.web.admin import views as admin_views
from resilience.web.db import close_session
from resilience.web.frontend import compile_govuk_macros, use_govuk_frontend
from resilience.web.maps import views as map_views
from resilience.web.members import views as member_views
from resilience.web.navigation import navigation
from resilience.web.notifications import calendar
from resilience.web.notifications import views as notification_views
from resilience.web.register import transfer
from resilience.web.register import views as register_views
from resilience.web.reports import views as report_views
from resilience.web.training import views as training_views
from resilience.web.whatif import views as whatif_views


def register_web(app: Flask) -> None:
    """Attach blueprints, error pages, security headers and the per-request session."""
    from flask_wtf import CSRFProtect

    CSRFProtect(app)
    use_govuk_frontend(app)
    access.register(app)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(register_views.bp)
    app.register_blueprint(map_views.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(plans_pages.bp)
    app.register_blueprint(notification_views.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(training_views.bp)
    app.register_blueprint(member_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(whatif_views.bp)
    errors.register(app)
    template_helpers.register(app)
    headers.register(app)
    static_versions.register(app)
    compression.register(app)
    app.teardown_appcontext(close_session)
    app.context_processor(navigation)
    compile_govuk_macros(app)
