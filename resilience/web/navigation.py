"""The navigation shown on every page: the service's sections in the header, the pages of the
current section under it, and the signed-in person's own links (notifications, sign out)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from resilience.scheduling.notifications import unread_count
from resilience.web.account.access import required_permission
from resilience.web.db import db_session

log = logging.getLogger(__name__)

Link = tuple[str, str, dict[str, Any]]  # label, endpoint, URL arguments


@dataclass(frozen=True)
class Section:
    """One link of the header, and the pages it groups: it opens the first its reader may open."""

    label: str
    links: tuple[Link, ...]


# Seven sections, so that the header is one row on a laptop screen.
SECTIONS: tuple[Section, ...] = (
    Section("Map", (("Overview map", "maps.overview", {}),)),
    Section(
        "Register",
        (
            ("Establishments", "layers.index", {"layer": "establishments"}),
            ("Pipelines", "layers.index", {"layer": "pipelines"}),
            ("Radiation premises", "layers.index", {"layer": "radiation-premises"}),
            ("Wards", "layers.index", {"layer": "wards"}),
            ("Sensitive places", "layers.index", {"layer": "receptors"}),
            ("Import and export", "transfer.index", {}),
        ),
    ),
    Section("Plans", (("Plans", "plans.plan_index", {}), ("Duties", "plans.duties", {}))),
    Section("Briefings", (("Briefings", "members.home", {}),)),
    Section("Training", (("Training", "training.index", {}),)),
    Section("Reports", (("Reports", "reports.index", {}),)),
    Section("People", (("People", "admin.users", {}),)),
)
# Pages that share a blueprint with another one: the endpoints (by prefix) each one owns.
SECTION_ENDPOINTS = {"plans.duties": ("plans.duties", "plans.policy")}


def _is_current(endpoint: str, args: dict[str, Any], current_layer: Any) -> bool:
    """Return whether the request is for a page that the link to `endpoint` opens."""
    here = request.endpoint
    if here is None:
        return False
    owned = SECTION_ENDPOINTS.get(endpoint)
    if owned is not None:
        return here.startswith(owned)
    if any(here.startswith(prefixes) for prefixes in SECTION_ENDPOINTS.values()):
        return False
    return here.split(".")[0] == endpoint.split(".")[0] and args.get("layer") == current_layer


def _may_open(endpoint: str) -> bool:
    """Return whether the signed-in person's role may open `endpoint`'s page."""
    needed = required_permission(endpoint, "GET")
    return needed is None or bool(current_user.can(needed))


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
        "text": f"Notifications ({unread})" if unread else "Notifications",
        "href": url_for("notifications.index"),
        "active": request.endpoint == "notifications.index",
    }


def navigation() -> dict[str, Any]:
    """Return the template context for the navigation: the sections this user may open, the
    pages of the current section (when it has more than one), and the user's own links."""
    if not current_user.is_authenticated:
        return {"nav_items": []}
    current_layer = (request.view_args or {}).get("layer")
    items = []
    section_nav = None
    for section in SECTIONS:
        links = []
        for label, endpoint, args in section.links:
            if not _may_open(endpoint):
                continue
            href = url_for(endpoint, **args)
            active = _is_current(endpoint, args, current_layer)
            links.append(
                {"text": label, "href": href, "active": active, "current": request.path == href}
            )
        if not links:
            continue
        active = any(link["active"] for link in links)
        items.append({"text": section.label, "href": links[0]["href"], "active": active})
        if active and len(links) > 1:
            section_nav = {"label": section.label, "items": links}
    return {
        "nav_items": items,
        "section_nav": section_nav,
        "account_items": [_notifications_item()],
        "current_user_label": current_user.display_name or current_user.email,
        "sign_out_href": url_for("auth.logout"),
    }
