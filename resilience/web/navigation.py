"""The service navigation shown on every page."""

from __future__ import annotations

import logging
from typing import Any

from flask import request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from resilience.scheduling.notifications import unread_count
from resilience.web.account.access import required_permission
from resilience.web.db import db_session

log = logging.getLogger(__name__)

Section = tuple[str, str, dict[str, Any]]
SECTIONS: tuple[Section, ...] = (
    ("Overview map", "maps.overview", {}),
    ("Establishments", "layers.index", {"layer": "establishments"}),
    ("Pipelines", "layers.index", {"layer": "pipelines"}),
    ("Wards", "layers.index", {"layer": "wards"}),
    ("Sensitive places", "layers.index", {"layer": "receptors"}),
    ("Import and export", "transfer.index", {}),
    ("Plans", "plans.plan_index", {}),
    ("Duties", "plans.duties", {}),
    ("Briefings", "members.home", {}),
    ("Training", "training.index", {}),
    ("Reports", "reports.index", {}),
)
ADMIN_SECTIONS: tuple[Section, ...] = (("People", "admin.users", {}),)
# Sections that share a blueprint with another one: the endpoints (by prefix) each one owns.
SECTION_ENDPOINTS = {"plans.duties": ("plans.duties", "plans.policy")}


def _is_current(endpoint: str, args: dict[str, Any], current_layer: Any) -> bool:
    """Return whether the request is for a page of the section that `endpoint` opens."""
    here = request.endpoint
    if here is None:
        return False
    owned = SECTION_ENDPOINTS.get(endpoint)
    if owned is not None:
        return here.startswith(owned)
    if any(here.startswith(prefixes) for prefixes in SECTION_ENDPOINTS.values()):
        return False
    return here.split(".")[0] == endpoint.split(".")[0] and args.get("layer") == current_layer


def _notifications_item() -> dict[str, Any]:
    """Return the signed-in user's own notifications, with how many are unread in the label."""
    try:
        unread = unread_count(db_session(), current_user.id)
    except SQLAlchemyError:
        # An error page after a failed transaction: show the link, and no count, rather than
        # failing the error page too.
        log.warning("unread notifications not counted", exc_info=True)
        unread = 0
    return {
        "label": f"Notifications ({unread})" if unread else "Notifications",
        "href": url_for("notifications.index"),
        "active": request.endpoint == "notifications.index",
    }


def navigation() -> dict[str, Any]:
    """Return the template context for the navigation: the sections this user may open."""
    if not current_user.is_authenticated:
        return {"nav_items": []}
    current_layer = (request.view_args or {}).get("layer")
    items = []
    for label, endpoint, args in (*SECTIONS, *ADMIN_SECTIONS):
        needed = required_permission(endpoint, "GET")
        if needed is not None and not current_user.can(needed):
            continue
        active = _is_current(endpoint, args, current_layer)
        items.append({"label": label, "href": url_for(endpoint, **args), "active": active})
    items.append(_notifications_item())
    return {
        "nav_items": items,
        "current_user_label": current_user.display_name or current_user.email,
        "sign_out_href": url_for("auth.logout"),
    }
