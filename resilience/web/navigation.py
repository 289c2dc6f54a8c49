"""The service navigation shown on every page."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

SECTIONS = (
    ("Establishments", "layers.index", {"layer": "establishments"}),
    ("Pipelines", "layers.index", {"layer": "pipelines"}),
    ("Wards", "layers.index", {"layer": "wards"}),
    ("Sensitive places", "layers.index", {"layer": "receptors"}),
    ("Import and export", "transfer.index", {}),
)


def navigation() -> dict[str, Any]:
    """Return the template context for the navigation, marking the current section."""
    current_layer = (request.view_args or {}).get("layer")
    items = []
    for label, endpoint, args in SECTIONS:
        active = (
            request.endpoint is not None
            and request.endpoint.split(".")[0] == endpoint.split(".")[0]
            and args.get("layer") == current_layer
        )
        items.append({"label": label, "href": url_for(endpoint, **args), "active": active})
    return {"nav_items": items}
