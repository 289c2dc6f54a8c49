/* ResilienceMap: builds the register's maps from the compact data folium writes into the page.
 *
 * Called by the scripts of webmap/elements.py, in this order: setup (once per map), source (one
 * per data set), layer (one per Leaflet layer), controls (last). Text from the database reaches
 * the page only as JSON data and is put into popups, tooltips and the search list with
 * textContent, never as markup. Needs Leaflet; no other library. */
(function () {
  "use strict";

  var maps = {};

  function stateOf(map) {
    return maps[map.getContainer().id];
  }

  function el(tag, className, parent, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (parent) parent.appendChild(node);
    return node;
  }

  /* Integer deltas in units of 1/scale degree back to positions. */
  function decodePoints(source) {
    var xy = source.xy, scale = source.scale, n = xy.length >> 1;
    var out = new Array(n), x = 0, y = 0;
    for (var i = 0; i < n; i++) {
      x += xy[2 * i];
      y += xy[2 * i + 1];
      out[i] = new L.LatLng(y / scale, x / scale);
    }
    return out;
  }

  function nest(points, offsets, level, start, end) {
    /* Split points by the offsets at `level` (shapely.to_ragged_array's layout). */
    var out = [];
    for (var k = start; k < end; k++) {
      var a = offsets[level][k], b = offsets[level][k + 1];
      out.push(level === 0 ? points.slice(a, b) : nest(points, offsets, level - 1, a, b));
    }
    return out;
  }

  /* One Leaflet-ready coordinate structure per feature. */
  function decode(source) {
    var points = decodePoints(source), o = source.offsets, top = o.length - 1;
    if (source.type === "Point") return points;
    var count = o[top].length - 1, out = new Array(count);
    for (var g = 0; g < count; g++) {
      var a = o[top][g], b = o[top][g + 1];
      out[g] = top === 0 ? points.slice(a, b) : nest(points, o, top - 1, a, b);
    }
    return out;
  }

  function encodePath(value) {
    return String(value).split("/").map(encodeURIComponent).join("/");
  }

  function fillTemplate(template, props, i) {
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return props[name] ? encodePath(props[name][i]) : "";
    });
  }

  function formatValue(value, format) {
    if (value === null || value === undefined || value === "") return "Not recorded";
    if (format && typeof format === "object") return format.labels[value] || String(value);
    if (format === "int") return Math.round(value).toLocaleString("en-GB");
    if (format === "pct") return (value * 100).toFixed(1) + "%";
    if (format === "ha") return value.toLocaleString("en-GB") + " ha";
    return String(value);
  }

  function popupContent(spec, props, i) {
    var p = spec.popup, box = el("div", "rm-popup");
    el("p", "rm-popup__title", box, props[p.title][i]);
    var subtitle = p.subtitle;
    if (p.subtitleBy) {
      var code = props[p.subtitleBy.prop][i] || "";
      subtitle = p.subtitleBy.labels[code] || code;
    }
    if (subtitle) el("p", "rm-popup__subtitle", box, subtitle);
    var facts = el("dl", "rm-popup__facts", box);
    (p.rows || []).forEach(function (row) {
      el("dt", null, facts, row[0]);
      el("dd", null, facts, formatValue(props[row[1]][i], row[2]));
    });
    var list = el("ul", "rm-popup__links", box);
    (p.links || []).forEach(function (link) {
      var a = el("a", "rm-popup__link", el("li", null, list), link[0]);
      a.href = fillTemplate(link[1], props, i);
    });
    return box;
  }

  function featureStyle(spec, props, i) {
    var style = L.extend({}, spec.style);
    if (spec.styleBy) {
      var key = props[spec.styleBy.prop][i];
      var chosen = spec.styleBy.values[key] || spec.styleBy.values[spec.styleBy["default"]];
      L.extend(style, chosen);
    }
    if (spec.fillBy) {
      var cls = props[spec.fillBy.prop][i];
      style.fillColor = cls >= 0 ? spec.fillBy.colours[cls] : spec.fillBy.none;
    }
    return style;
  }

  function tooltipText(spec, props, i) {
    return String(props[spec.tooltip.prop][i]) + (spec.tooltip.suffix || "");
  }

  /* Shapes of a source at a level of detail: "fine" (within the stated metres) or "coarse"
     (within half a pixel when zoomed out), decoded once each, when first needed. */
  function shapesOf(state, key, level) {
    var source = state.sources[key], coarse = level === "coarse" && source.coarse;
    var cacheKey = key + (coarse ? ":coarse" : ":fine");
    if (!state.decoded[cacheKey]) state.decoded[cacheKey] = decode(coarse ? source.coarse : source);
    return state.decoded[cacheKey];
  }

  function levelFor(state, map) {
    return state.coarseMaxZoom !== null && map.getZoom() <= state.coarseMaxZoom ? "coarse" : "fine";
  }

  function allRings(source, shapes) {
    var all = [];
    for (var g = 0; g < shapes.length; g++) {
      if (source.type === "MultiPolygon") all.push.apply(all, shapes[g]);
      else all.push(shapes[g]);
    }
    return all;
  }

  function applyLevel(map) {
    var state = stateOf(map), level = levelFor(state, map);
    Object.keys(state.layers).forEach(function (key) {
      var item = state.layers[key], source = state.sources[item.spec.source];
      if (item.level === level || !source.coarse) return;
      var shapes = shapesOf(state, item.spec.source, level);
      if (item.spec.role === "base") {
        if (item.layer.rmShape) item.layer.rmShape.setLatLngs(allRings(source, shapes));
      } else {
        item.layer.eachLayer(function (feature) { feature.setLatLngs(shapes[feature.rmIndex]); });
      }
      item.level = level;
    });
  }

  function baseLayer(state, spec, shapes) {
    /* All wards as one shape: a light land fill and thin boundaries. It is only drawn while
       the (opaque) wards layer is off, since that layer covers it exactly; see syncBase. */
    var all = allRings(state.sources[spec.source], shapes);
    var group = L.layerGroup();
    group.rmShape = all.length ? L.polygon(all, spec.style) : null;
    return group;
  }

  function syncBase(map) {
    var state = stateOf(map), base = state.layers.base, wards = state.layers.wards;
    if (!base) return;
    var covered = wards && wards.spec.covers && map.hasLayer(wards.layer);
    /* Fetched wards leave their rings to be made into the base shape when first shown. */
    if (!covered && !base.layer.rmShape && base.layer.rmRings && base.layer.rmRings.length) {
      base.layer.rmShape = L.polygon(base.layer.rmRings, base.spec.style);
    }
    if (!base.layer.rmShape) return;
    var shape = base.layer.rmShape, drawn = base.layer.hasLayer(shape);
    if (covered && drawn) base.layer.removeLayer(shape);
    if (!covered && !drawn) base.layer.addLayer(shape);
  }

  function makeLayer(map, spec) {
    var state = stateOf(map), level = levelFor(state, map);
    var shapes = shapesOf(state, spec.source, level);
    var layer = spec.role === "base" ? baseLayer(state, spec, shapes) : featureGroup(state, spec, shapes);
    state.layers[spec.key] = { layer: layer, spec: spec, level: level };
    return layer;
  }

  function featureGroup(state, spec, shapes) {
    var group = L.featureGroup();
    addFeatures(state, spec, group, shapes);
    /* One popup and one tooltip for the whole layer, filled in for the feature under the
       pointer: thousands of features need no popup object each. The properties are looked up
       when shown: a fetched source (remoteSource) replaces them as the map moves. */
    var propsOf = function () { return state.sources[spec.source].props; };
    if (spec.popup) {
      group.bindPopup(function (feature) { return popupContent(spec, propsOf(), feature.rmIndex); }, {
        maxWidth: 320, autoPanPadding: [24, 24]
      });
    }
    if (spec.tooltip) {
      group.bindTooltip(function (feature) {
        return el("span", null, null, tooltipText(spec, propsOf(), feature.rmIndex));
      }, { className: "rm-tooltip", sticky: state.sources[spec.source].type !== "Point", direction: "auto" });
    }
    return group;
  }

  function addFeatures(state, spec, group, shapes) {
    var source = state.sources[spec.source];
    if (spec.minZoom && state.map.getZoom() < spec.minZoom) return;
    var props = source.props, labelled = {};
    (spec.labelRefs || []).forEach(function (ref) { labelled[ref] = true; });
    shapes.forEach(function (shape, i) {
      var style = featureStyle(spec, props, i), feature;
      if (source.type === "Point") feature = L.circleMarker(shape, style);
      else if (source.type.indexOf("LineString") >= 0) feature = L.polyline(shape, style);
      else feature = L.polygon(shape, style);
      feature.rmIndex = i;
      if (spec.tooltip && labelled[props.ref[i]]) {
        feature.bindTooltip(el("span", null, null, tooltipText(spec, props, i)), {
          permanent: true, direction: "right", offset: [10, 0], className: "rm-label"
        });
      }
      if (spec.search) {
        state.index.push({ name: String(props.name[i]), ref: String(props.ref[i]), layer: feature, group: group });
      }
      group.addLayer(feature);
    });
  }

  /* A source too large for the page (a national register's wards) is fetched for the view, from
     this site, as the map moves: the server answers with the wards meeting a block of tiles
     around the view, simplified for the zoom (webmap/bbox_layers.py), and names that block.
     Nothing is fetched again while the view stays inside it at the same zoom. */
  function viewZoom(map) {
    return Math.max(0, Math.ceil(map.getZoom() - 1e-6));
  }

  /* The answer for the map's view now: the shapes meeting it, for its zoom (rounded up, so
     that they are within half a pixel at the zoom drawn). */
  function askFor(map, url, zoom) {
    var bounds = map.getBounds();
    var box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
    var query = "bbox=" + box.map(function (v) { return v.toFixed(5); }).join(",") + "&zoom=" + zoom;
    return window.fetch(url + (url.indexOf("?") >= 0 ? "&" : "?") + query, {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("the shapes in view could not be loaded (" + response.status + ")");
      return response.json();
    });
  }

  function remoteSource(map, key, done) {
    var state = stateOf(map), url = state.sources[key].remote, asked = 0, have = null;
    function inside(outer, bounds) {
      return outer && bounds.getWest() >= outer[0] && bounds.getSouth() >= outer[1] &&
        bounds.getEast() <= outer[2] && bounds.getNorth() <= outer[3];
    }
    function refresh() {
      var zoom = viewZoom(map);
      if (have && have.zoom === zoom && inside(have.bbox, map.getBounds())) return;
      var ticket = ++asked, early = state.early[key];
      delete state.early[key];
      /* Asked for while the page was still building its other layers (see source): taken
         if as fine as this zoom needs and holding the whole view, else asked again. */
      var answer = early && early.zoom >= zoom ? early.answer.then(function (data) {
        return inside(data.bbox, map.getBounds()) ? data : askFor(map, url, zoom);
      }) : askFor(map, url, zoom);
      answer.then(function (data) {
        if (ticket !== asked) return; /* the map moved on meanwhile */
        have = { bbox: data.bbox, zoom: zoom };
        data.remote = url;
        state.sources[key] = data;
        delete state.decoded[key + ":fine"];
        refill(map, key);
        if (done) { done(); done = null; }
      }).catch(function (error) {
        map.getContainer().setAttribute("data-load-error", String(error.message || error));
        if (done) { done(); done = null; }
      });
    }
    map.on("moveend", refresh);
    refresh();
  }

  function refill(map, key) {
    var state = stateOf(map), shapes = shapesOf(state, key, "fine");
    Object.keys(state.layers).forEach(function (name) {
      var item = state.layers[name];
      if (item.spec.source !== key) return;
      if (item.spec.role === "base") {
        var group = item.layer, old = group.rmShape;
        if (old && group.hasLayer(old)) group.removeLayer(old);
        group.rmShape = null;
        group.rmRings = allRings(state.sources[key], shapes);
      } else {
        item.layer.clearLayers();
        addFeatures(state, item.spec, item.layer, shapes);
      }
    });
    syncBase(map);
  }

  function focusFeature(map, entry) {
    var state = stateOf(map);
    if (!map.hasLayer(entry.group)) map.addLayer(entry.group);
    if (entry.layer.getBounds) {
      map.fitBounds(entry.layer.getBounds(), { maxZoom: 15, padding: [24, 24] });
    } else {
      map.setView(entry.layer.getLatLng(), Math.max(map.getZoom(), 14));
    }
    var at = entry.layer.getLatLng ? entry.layer.getLatLng() : entry.layer.getCenter();
    /* As a click on the feature would: the layer's shared popup opens for this feature. */
    entry.layer.fire("click", { latlng: at }, true);
    state.lastShown = entry.ref;
  }

  function findEntry(state, query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var exact = null, partial = null;
    state.index.forEach(function (entry) {
      var label = (entry.name + " (" + entry.ref + ")").toLowerCase();
      if (!exact && (label === q || entry.ref.toLowerCase() === q || entry.name.toLowerCase() === q)) exact = entry;
      if (!partial && label.indexOf(q) >= 0) partial = entry;
    });
    return exact || partial;
  }

  function searchControl(map, options) {
    var state = stateOf(map), id = map.getContainer().id;
    var Control = L.Control.extend({
      onAdd: function () {
        var form = el("form", "rm-search leaflet-bar");
        form.setAttribute("role", "search");
        form.setAttribute("aria-label", "Search the map");
        var label = el("label", "rm-search__label", form, options.label);
        label.htmlFor = id + "-search";
        var row = el("div", "rm-search__row", form);
        var input = el("input", "rm-search__input", row);
        input.type = "search";
        input.id = id + "-search";
        input.autocomplete = "off";
        input.setAttribute("list", id + "-sites");
        var list = el("datalist", null, form);
        list.id = id + "-sites";
        state.index.forEach(function (entry) {
          el("option", null, list).value = entry.name + " (" + entry.ref + ")";
        });
        el("button", "rm-search__button", row, "Show").type = "submit";
        var status = el("p", "rm-search__status", form);
        status.setAttribute("aria-live", "polite");
        L.DomEvent.disableClickPropagation(form);
        L.DomEvent.disableScrollPropagation(form);
        L.DomEvent.on(form, "submit", function (event) {
          L.DomEvent.preventDefault(event);
          var entry = findEntry(state, input.value);
          if (entry) {
            focusFeature(map, entry);
            status.textContent = "Showing " + entry.name + ".";
          } else {
            status.textContent = "No site or pipeline matches \u201c" + input.value + "\u201d.";
          }
        });
        return form;
      }
    });
    return new Control({ position: "topleft" }).addTo(map);
  }

  function legendControl(map, html) {
    var Control = L.Control.extend({
      onAdd: function () {
        var box = el("div", "rm-legend-control");
        box.innerHTML = html; /* built and escaped on the server (webmap/legend.py) */
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    return new Control({ position: "bottomleft" }).addTo(map);
  }

  function whatIfLink(url, latlng) {
    var p = el("p", "govuk-body-s rm-whatif-link");
    var a = el("a", "govuk-link", p, "What if it leaks here?");
    a.href = url + "?lat=" + latlng.lat.toFixed(5) + "&lon=" + latlng.lng.toFixed(5);
    return p;
  }

  /* A click on the overview offers a what-if at the point clicked: added to the popup a
     feature opens there, or in a popup of its own where no feature is. */
  function whatIfOnClick(map, url) {
    var openedByFeature = false;
    map.on("popupopen", function (event) {
      var content = event.popup.getElement().querySelector(".leaflet-popup-content");
      if (!content || content.querySelector(".rm-whatif-link")) return;
      content.appendChild(whatIfLink(url, event.popup.getLatLng()));
      openedByFeature = true;
      window.setTimeout(function () { openedByFeature = false; }, 0);
    });
    map.on("click", function (event) {
      if (openedByFeature) return;
      L.popup().setLatLng(event.latlng).setContent(whatIfLink(url, event.latlng)).openOn(map);
    });
  }

  /* Keyboard: the search box, layer list and key come before the shapes in the tab order (the
     controls are positioned absolutely, so moving them first in the page changes nothing on
     screen), and Enter or Space on a focused shape opens its popup as a click would. */
  function keyboardOrder(map) {
    var container = map.getContainer();
    var controls = container.querySelector(".leaflet-control-container");
    if (controls && container.firstChild !== controls) container.insertBefore(controls, container.firstChild);
    container.addEventListener("keydown", function (event) {
      var target = event.target;
      if (!(target instanceof SVGElement) || !target.classList.contains("leaflet-interactive")) return;
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      var box = target.getBoundingClientRect(), area = container.getBoundingClientRect();
      var x = Math.min(Math.max(box.left + box.width / 2, area.left + 1), area.right - 1);
      var y = Math.min(Math.max(box.top + box.height / 2, area.top + 1), area.bottom - 1);
      target.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: x, clientY: y }));
    });
  }

  /* A permanent label (the site a hazard map is about) that would run past the map's right
     edge is put on the left of its feature instead, and back when there is room again. */
  function keepLabelsInside(map) {
    var box = map.getContainer().getBoundingClientRect();
    map.eachLayer(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      if (!tip || !tip.options.permanent || !tip.getElement()) return;
      var anchor = map.latLngToContainerPoint(tip.getLatLng());
      var width = tip.getElement().offsetWidth;
      var roomRight = box.width - anchor.x - 18, roomLeft = anchor.x - 18;
      var left = width > roomRight && roomLeft > roomRight;
      var direction = left ? "left" : "right";
      if (tip.options.direction !== direction) {
        tip.options.direction = direction;
        tip.options.offset = L.point(left ? -10 : 10, 0);
        tip.update();
      }
    });
  }

  /* The layer list's button (a hazard map's is folded from the start, a phone's by
     foldOnSmallScreens) says what it is in words, not an icon the offline page cannot load. */
  function nameLayerButton(map) {
    var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.textContent = "Layers";
      toggle.setAttribute("aria-label", "Layers: switch layers on and off");
    }
  }

  /* A phone: the layer list folds into its button and the key into its heading, so the map is
     seen first; either opens with a tap. Printing still opens the key (resizeAll). */
  var SMALL_MAP = 600;
  function foldOnSmallScreens(map) {
    var container = map.getContainer();
    if (container.clientWidth >= SMALL_MAP) return;
    Array.prototype.forEach.call(container.querySelectorAll("details.rm-legend"), function (d) {
      d.open = false;
    });
    var layers = container.querySelector(".leaflet-control-layers");
    var toggle = layers && layers.querySelector(".leaflet-control-layers-toggle");
    if (!layers || !toggle) return;
    L.DomUtil.removeClass(layers, "leaflet-control-layers-expanded");
    toggle.setAttribute("aria-expanded", "false");
    /* Leaflet's own handler opens the list on a click or Enter; a click on the map or Escape
       folds it again. */
    L.DomEvent.on(toggle, "click", function () {
      toggle.setAttribute("aria-expanded", "true");
      var first = layers.querySelector("input");
      if (first) first.focus();
    });
    var fold = function () {
      L.DomUtil.removeClass(layers, "leaflet-control-layers-expanded");
      toggle.setAttribute("aria-expanded", "false");
    };
    map.on("click", fold);
    L.DomEvent.on(layers, "keydown", function (event) {
      if (event.key === "Escape") {
        fold();
        toggle.focus();
      }
    });
  }

  function markDrawn(map) {
    /* Two frames after the layers were added, Leaflet has drawn them (SVG or canvas). */
    var state = stateOf(map);
    var done = function () {
      if (state.drawnAt) return;
      state.drawnAt = window.performance.now();
      map.getContainer().setAttribute("data-drawn", "true");
    };
    if (document.visibilityState === "hidden" || !window.requestAnimationFrame) {
      done(); /* a hidden tab never paints */
    } else {
      window.requestAnimationFrame(function () { window.requestAnimationFrame(done); });
    }
  }

  /* Frame the map's area in what the controls leave uncovered: the key and search box on the
     left and the layer list on the right sit over the map, so the area is fitted between them
     (when the map is wide enough for that to leave it a fair share). */
  function columnWidth(container, side) {
    /* Only a tall control (an open key or layer list) hides a column of the map; a short one
       (the search box, a folded key) covers a corner the frame's padding already leaves. */
    var widest = 0, tall = container.clientHeight * 0.3;
    Array.prototype.forEach.call(container.querySelectorAll(".leaflet-" + side + " .leaflet-control"), function (c) {
      if (c.offsetParent !== null && c.offsetHeight > tall) widest = Math.max(widest, c.offsetWidth);
    });
    return widest;
  }

  function frame(map, bare) {
    var state = stateOf(map), container = map.getContainer();
    if (!state.bounds) return;
    var left = bare ? 0 : columnWidth(container, "left");
    var right = bare ? 0 : columnWidth(container, "right");
    if (container.clientWidth - left - right < container.clientWidth * 0.45) left = right = 0;
    /* A quarter-level zoom, so the area fills its frame rather than the next whole level. */
    var snap = map.options.zoomSnap;
    map.options.zoomSnap = 0.25;
    map.fitBounds(state.bounds, {
      paddingTopLeft: [left + 12, 12], paddingBottomRight: [right + 12, 12], animate: false
    });
    map.options.zoomSnap = snap;
  }

  /* Print: the key moves below the map (so it covers no ward), the map is fitted again to the
     page's width, and everything goes back as it was afterwards. */
  var PRINT_SIZE = ["180mm", "165mm"];

  function beforePrint() {
    Object.keys(maps).forEach(function (id) {
      var state = maps[id], container = state.map.getContainer();
      if (state.printing) return;
      state.printing = { center: state.map.getCenter(), zoom: state.map.getZoom() };
      var key = container.querySelector(".rm-legend-control");
      if (key) {
        state.printing.key = key;
        state.printing.keyParent = key.parentNode;
        state.printing.keyNext = key.nextSibling;
        var holder = document.createElement("div");
        holder.className = "rm-print-key";
        container.parentNode.insertBefore(holder, container.nextSibling);
        holder.appendChild(key);
        state.printing.holder = holder;
        Array.prototype.forEach.call(key.querySelectorAll("details.rm-legend"), function (d) {
          d.open = true;
        });
      }
      /* The page is laid out for paper only after this event, so the map is given its printed
         size now (it fits the printable width of A4 portrait) and fitted to that. */
      container.style.width = PRINT_SIZE[0];
      container.style.height = PRINT_SIZE[1];
      state.map.invalidateSize({ pan: false });
      frame(state.map, true);
    });
  }

  function afterPrint() {
    Object.keys(maps).forEach(function (id) {
      var state = maps[id], saved = state.printing;
      if (!saved) return;
      state.printing = null;
      var container = state.map.getContainer();
      container.style.width = "";
      container.style.height = "";
      if (saved.key) {
        saved.keyParent.insertBefore(saved.key, saved.keyNext);
        saved.holder.parentNode.removeChild(saved.holder);
      }
      state.map.invalidateSize({ pan: false });
      state.map.setView(saved.center, saved.zoom, { animate: false });
    });
  }

  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    var onPrintChange = function (query) { (query.matches ? beforePrint : afterPrint)(); };
    if (printing.addEventListener) printing.addEventListener("change", onPrintChange);
    else if (printing.addListener) printing.addListener(onPrintChange);
  }

  /* Buttons outside the map: <button data-rm-show="REF">Show on map</button>. */
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-rm-show]") : null;
    if (!target) return;
    var ids = Object.keys(maps);
    if (!ids.length) return;
    var state = maps[ids[0]], ref = target.getAttribute("data-rm-show");
    var entry = state.index.filter(function (e) { return e.ref === ref; })[0];
    if (entry) {
      state.map.getContainer().scrollIntoView({ block: "center" });
      focusFeature(state.map, entry);
    }
  });

  window.ResilienceMap = {
    maps: maps,

    setup: function (map, options) {
      var container = map.getContainer();
      maps[container.id] = {
        map: map, sources: {}, decoded: {}, layers: {}, index: [], early: {},
        coarseMaxZoom: typeof options.coarseMaxZoom === "number" ? options.coarseMaxZoom : null
      };
      container.style.background = options.background;
      (options.panes || []).forEach(function (pane) {
        map.createPane(pane[0]).style.zIndex = String(pane[1]);
      });
      /* Straight to the frame: an animated zoom here would still be running when drawn. */
      maps[container.id].bounds = options.bounds || null;
      if (options.bounds) map.fitBounds(options.bounds, { padding: [12, 12], animate: false });
      /* Left: search, then the key down to the scale bar; right: layers, then zoom buttons. */
      if (options.zoomPosition && map.zoomControl) map.zoomControl.setPosition(options.zoomPosition);
      map.attributionControl.setPrefix(options.prefix);
      if (options.attribution) map.attributionControl.addAttribution(options.attribution);
    },

    source: function (map, key, elementId) {
      var state = stateOf(map), source = JSON.parse(document.getElementById(elementId).textContent);
      state.sources[key] = source;
      /* Ask at once, for the view setup opened on (a whole zoom level, fitted loosely) and one
         level finer: the final framing (controls) zooms in by less than a level. */
      if (source.remote) {
        var zoom = viewZoom(map) + 1;
        state.early[key] = { zoom: zoom, answer: askFor(map, source.remote, zoom) };
      }
    },

    layer: function (map, spec) {
      return makeLayer(map, spec);
    },

    controls: function (map, options) {
      syncBase(map);
      map.on("layeradd layerremove", function () { syncBase(map); });
      map.on("zoomend", function () { applyLevel(map); });
      if (options.scale) L.control.scale(options.scale).addTo(map);
      if (options.search && stateOf(map).index.length) searchControl(map, options.search);
      if (options.legend) legendControl(map, options.legend);
      if (options.whatif) whatIfOnClick(map, options.whatif);
      keyboardOrder(map);
      nameLayerButton(map);
      foldOnSmallScreens(map);
      frame(map, false);
      keepLabelsInside(map);
      map.on("moveend zoomend", function () { keepLabelsInside(map); });
      /* Drawn once every fetched source has arrived for the first view. */
      var state = stateOf(map), waiting = Object.keys(state.sources).filter(function (key) {
        return state.sources[key].remote;
      });
      if (!waiting.length) markDrawn(map);
      waiting.forEach(function (key) {
        remoteSource(map, key, function () {
          waiting = waiting.filter(function (k) { return k !== key; });
          if (!waiting.length) markDrawn(map);
        });
      });
    },

    /* Counts of features per category, and how many are on the map now (for tests). */
    counts: function (map) {
      var state = map ? stateOf(map) : maps[Object.keys(maps)[0]], out = {};
      Object.keys(state.layers).forEach(function (key) {
        var item = state.layers[key], category = item.spec.category;
        var n = item.layer.getLayers ? item.layer.getLayers().length : 1;
        var shown = state.map.hasLayer(item.layer) ? n : 0;
        out[category] = out[category] || { total: 0, shown: 0 };
        out[category].total += n;
        out[category].shown += shown;
      });
      return out;
    },

    show: function (ref) {
      var state = maps[Object.keys(maps)[0]];
      var entry = state.index.filter(function (e) { return e.ref === ref; })[0];
      if (entry) focusFeature(state.map, entry);
      return !!entry;
    }
  };
})();
