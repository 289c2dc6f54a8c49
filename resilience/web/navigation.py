"""The service navigation shown on every page."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user

from resilience.web.auth import required_permission

SECTIONS = (
    ("Establishments", "layers.index", {"layer": "establishments"}),
    ("Pipelines", "layers.index", {"layer": "pipelines"}),
    ("Wards", "layers.index", {"layer": "wards"}),
    ("Sensitive places", "layers.index", {"layer": "receptors"}),
    ("Import and export", "transfer.index", {}),
)
ADMIN_SECTIONS = (("People", "admin.users", {}),)


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
        active = (
            request.endpoint is not None
            and request.endpoint.split(".")[0] == endpoint.split(".")[0]
            and args.get("layer") == current_layer
        )
        items.append({"label": label, "href": url_for(endpoint, **args), "active": active})
    return {
        "nav_items": items,
        "current_user_label": current_user.display_name or current_user.email,
        "sign_out_href": url_for("auth.logout"),
    }
