"""A rendered map as parts for an app page, or as one standalone HTML file that works offline."""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import Figure
from markupsafe import Markup, escape


@dataclass(frozen=True)
class MapParts:
    """What a page template places: tags for <head>, the map's element, and its script."""

    head: Markup
    body: Markup
    script: Markup

    @property
    def size(self) -> int:
        """Return the bytes these parts add to a page (UTF-8)."""
        return sum(len(part.encode("utf-8")) for part in (self.head, self.body, self.script))


def _figure(m: folium.Map) -> Figure:
    figure = m.get_root()
    if not isinstance(figure, Figure):
        raise TypeError(f"the map is not in a folium Figure: {type(figure).__name__}")
    return figure


def map_parts(m: folium.Map) -> MapParts:
    """Return the map rendered into its three parts (rendering the map once)."""
    figure = _figure(m)
    figure.header._children.pop("meta_http", None)  # the page declares its own charset
    for child in figure._children.values():
        child.render()
    return MapParts(
        head=Markup(figure.header.render()),
        body=Markup(figure.html.render()),
        script=Markup(figure.script.render()),
    )


def standalone_html(
    parts: MapParts, title: str, lines: tuple[str, ...] = (), *, for_image: bool = False
) -> str:
    """Return a whole HTML document around a map rendered with inlined assets.

    `title` heads the page; `lines` (e.g. when it was made, the security marking) go under it.
    `for_image` leaves out what only works on a screen (zoom buttons, layer list, search).
    """
    body_class = "rm-standalone rm-standalone--image" if for_image else "rm-standalone"
    meta = "".join(f'<p class="rm-standalone__meta">{escape(line)}</p>' for line in lines)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{parts.head}\n</head>\n"
        f'<body class="{body_class}">\n'
        f'<header class="rm-standalone__header"><h1 class="rm-standalone__title">{escape(title)}'
        f"</h1>{meta}</header>\n<main>{parts.body}</main>\n"
        f"<script>\n{parts.script}\n</script>\n</body>\n</html>\n"
    )
