"""The web views: thin Flask blueprints over the domain services."""

from __future__ import annotations

from flask import Flask

from resilience.web import (
    admin_views,
    auth,
    auth_views,
    errors,
    headers,
    home,
    layer_views,
    template_helpers,
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
    app.register_blueprint(transfer_views.bp)
    errors.register(app)
    template_helpers.register(app)
    headers.register(app)
    app.teardown_appcontext(close_session)
    app.context_processor(navigation)
