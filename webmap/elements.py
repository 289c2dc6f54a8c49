"""The folium elements of an offline map: the map itself, its data, its layers and its controls.

Each one writes a few lines of JavaScript that call ``static/map.js`` (``ResilienceMap``), which
decodes the compact data (see ``encoding.py``) and builds the Leaflet layers, popups, legend,
search box and scale bar. Nothing here loads a file from another origin: the map's scripts and
styles are this app's own files, linked or inlined (see ``assets.py``).
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer
from folium.template import Template

from webmap.assets import MapAssets, inline_scripts, inline_stylesheets
from webmap.encoding import to_script_json


class RawHtml(Element):
    """Markup put into the page exactly as given (branca's Element would parse it as Jinja)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def render_macro(element: MacroElement, **kwargs: Any) -> None:
    """Render `element`'s macros into its figure as raw text, then its children.

    branca's MacroElement.render wraps each macro's output in ``Element(text)``, which parses
    the output again as a Jinja template: a site named ``{{ 7*7 }}`` would be shown as 49, and
    worse is possible. Text rendered here is never parsed twice.
    """
    figure = element.get_root()
    assert isinstance(figure, Figure), "a map element renders inside a Figure"
    module = element._template.module
    name = element.get_name()
    for part, target in (
        ("header", figure.header),
        ("html", figure.html),
        ("script", figure.script),
    ):
        macro = getattr(module, part, None)
        if macro is not None:
            target.add_child(RawHtml(str(macro(element, kwargs))), name=name)
    for child in element._children.values():
        child.render(**kwargs)


class OfflineMap(folium.Map):
    """A folium map that takes Leaflet from this app, sized by CSS, with an accessible name.

    folium's own template adds a viewport tag that forbids zooming the page (an accessibility
    failure), full-window styles and CDN links; this one adds none of them.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div class="folium-map rm-map{{ this.css_modifier }}" id="{{ this.get_name() }}"
                role="region" aria-label="{{ this.label|e }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }},
                ...{{ this.options|tojavascript }}
            });
            ResilienceMap.setup({{ this.get_name() }}, {{ this.setup_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        assets: MapAssets,
        label: str,
        setup: dict[str, Any],
        high_contrast: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(tiles=None, control_scale=False, **kwargs)
        self._name = "Map"
        self.assets = assets
        self.label = label
        self.setup_json = to_script_json(setup)
        self.css_modifier = " rm-map--high-contrast" if high_contrast else ""
        # Per instance: folium's class-wide defaults point at CDNs and must stay untouched.
        self.default_js = list(assets.scripts)
        self.default_css = list(assets.stylesheets)

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure), "an OfflineMap renders inside a Figure"
        if self.assets.inline:
            figure.header.add_child(RawHtml(inline_stylesheets()), name="rm_inline_css")
            figure.header.add_child(RawHtml(inline_scripts()), name="rm_inline_js")
        else:
            for name, url in self.default_css:
                figure.header.add_child(CssLink(url), name=name)
            for name, url in self.default_js:
                figure.header.add_child(JavascriptLink(url), name=name)
        render_macro(self, **kwargs)
        return ""


class DataSource(MacroElement):
    """One layer's features in the compact encoding, shared by every Leaflet layer drawn from it.

    The data is a JSON data block (``<script type="application/json">``), never run as code:
    browsers parse JSON several times faster than the same object written as a script.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <script type="application/json" id="{{ this.get_name() }}">{{ this.data_json }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            ResilienceMap.source({{ this._parent.get_name() }}, {{ this.key|tojson }},
                {{ this.get_name()|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "DataSource"
        self.key = key
        self.data_json = to_script_json(data)

    def render(self, **kwargs: Any) -> str:
        render_macro(self, **kwargs)
        return ""


class FeatureLayer(Layer):
    """A Leaflet layer drawn from a DataSource; appears in the layer control under `name`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = ResilienceMap.layer({{ this._parent.get_name() }},
                {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        spec: dict[str, Any],
        *,
        overlay: bool = True,
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "FeatureLayer"
        self.spec = spec
        self.spec_json = to_script_json(spec)

    def render(self, **kwargs: Any) -> str:
        parent = self._parent
        assert parent is not None, "a FeatureLayer is added to a map before it renders"
        if self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        render_macro(self, **kwargs)
        return ""


class MapControls(MacroElement):
    """Scale bar, legend, site search and the 'drawn' signal, added after every layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ResilienceMap.controls({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "MapControls"
        self.options_json = to_script_json(options)

    def render(self, **kwargs: Any) -> str:
        render_macro(self, **kwargs)
        return ""
