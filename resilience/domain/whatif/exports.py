"""A what-if's result as files: the warn-and-inform CSV, GeoJSON, KML and a CAP 1.2 alert.

Every file carries the screening banner. Geometry is EPSG:4326 (GeoJSON and KML longitude
first; CAP's ``<polygon>`` is "latitude,longitude" pairs, first and last the same, as the
OASIS CAP 1.2 standard §3.2.4 requires).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final
from xml.etree import ElementTree as ET

from resilience.csv_export import spreadsheet_csv
from resilience.domain.register.layers import RECEPTOR_KINDS
from resilience.domain.whatif.people import WARN_LIST_COLUMNS, ZONE_LABELS

CAP_NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
KML_NS: Final = "http://www.opengis.net/kml/2.2"
KML_COLOURS: Final = {  # aabbggrr
    "red": "a61c35d4",
    "orange": "a63877f4",
    "yellow": "a600ddff",
    "sector": "ff0c0c0b",
}


def _areas(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield the zones reached, most severe first, then the sector (if any)."""
    for zone in result["zones"]:
        if zone["geometry"] is not None:
            yield zone
    if result["sector"]["geometry"] is not None:
        yield result["sector"]


def warn_list_csv(result: dict[str, Any]) -> str:
    """Return the warn-and-inform list as spreadsheet-safe CSV, banner first."""
    banner: list[object] = [f"# {result['banner']}", *([""] * (len(WARN_LIST_COLUMNS) - 1))]
    rows: list[list[object]] = [banner]
    for row in result["warn_list"]:
        rows.append(
            [
                ZONE_LABELS[row["zone"]] if c == "zone" else
                RECEPTOR_KINDS.get(row[c], row[c]) if c == "kind" else row[c]
                for c in WARN_LIST_COLUMNS
            ]
        )  # fmt: skip
    return spreadsheet_csv(WARN_LIST_COLUMNS, rows)


def footprint_geojson(result: dict[str, Any]) -> str:
    """Return the zones and sector as a GeoJSON FeatureCollection (RFC 7946)."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "zone": area["key"],
                "label": area["label"],
                "level": area.get("level", ""),
                "threshold_mg_m3": area.get("threshold_mg_m3"),
                "threshold_ppm": area.get("threshold_ppm"),
                "max_distance_m": area.get("max_distance_m"),
                "area_m2": area["area_m2"],
            },
            "geometry": area["geometry"],
        }
        for area in _areas(result)
    ]
    collection = {
        "type": "FeatureCollection",
        "screening_estimate": result["banner"],
        "computed_at": result["computed_at"],
        "inputs": result["inputs"],
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


def _rings(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """Return a (Multi)Polygon's polygons as lists of rings of [lon, lat]."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def footprint_kml(result: dict[str, Any], title: str) -> bytes:
    """Return the zones and sector as a KML 2.2 document."""
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    doc = ET.SubElement(kml, f"{{{KML_NS}}}Document")
    ET.SubElement(doc, f"{{{KML_NS}}}name").text = title
    ET.SubElement(doc, f"{{{KML_NS}}}description").text = result["banner"]
    for key, colour in KML_COLOURS.items():
        style = ET.SubElement(doc, f"{{{KML_NS}}}Style", id=key)
        line = ET.SubElement(style, f"{{{KML_NS}}}LineStyle")
        ET.SubElement(line, f"{{{KML_NS}}}color").text = "ff" + colour[2:]
        ET.SubElement(line, f"{{{KML_NS}}}width").text = "2"
        poly = ET.SubElement(style, f"{{{KML_NS}}}PolyStyle")
        ET.SubElement(poly, f"{{{KML_NS}}}color").text = colour
        ET.SubElement(poly, f"{{{KML_NS}}}fill").text = "0" if key == "sector" else "1"
    for area in _areas(result):
        mark = ET.SubElement(doc, f"{{{KML_NS}}}Placemark")
        ET.SubElement(mark, f"{{{KML_NS}}}name").text = area["label"]
        level = f"{area['level']}: {area['threshold_mg_m3']:g} mg/m³. " if "level" in area else ""
        ET.SubElement(mark, f"{{{KML_NS}}}description").text = level + result["banner"]
        ET.SubElement(mark, f"{{{KML_NS}}}styleUrl").text = f"#{area['key']}"
        multi = ET.SubElement(mark, f"{{{KML_NS}}}MultiGeometry")
        for rings in _rings(area["geometry"]):
            polygon = ET.SubElement(multi, f"{{{KML_NS}}}Polygon")
            for i, ring in enumerate(rings):
                boundary = ET.SubElement(
                    polygon, f"{{{KML_NS}}}{'outerBoundaryIs' if i == 0 else 'innerBoundaryIs'}"
                )
                linear = ET.SubElement(boundary, f"{{{KML_NS}}}LinearRing")
                ET.SubElement(linear, f"{{{KML_NS}}}coordinates").text = " ".join(
                    f"{lon:.6f},{lat:.6f}" for lon, lat in ring
                )
    return ET.tostring(kml, encoding="utf-8", xml_declaration=True)


def _cap_time(value: datetime) -> str:
    """Return a CAP dateTime: local time with its offset, no fractions, never 'Z' (§3.3.2)."""
    text = value.replace(microsecond=0).isoformat()
    return text.replace("+00:00", "-00:00") if text.endswith("+00:00") else text


def footprint_cap(
    result: dict[str, Any], *, sender: str, sent: datetime, exercise: bool = True
) -> bytes:
    """Return a CAP 1.2 alert with one <area> per zone reached (each outer ring a <polygon>).

    `exercise` (the default) marks the message "Exercise", since a screening what-if is for
    planning; an officer who sends it in earnest changes the status in their warning system.
    """
    ET.register_namespace("", CAP_NS)

    def sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
        node = ET.SubElement(parent, f"{{{CAP_NS}}}{name}")
        if text is not None:
            node.text = text
        return node

    inputs = result["inputs"]
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    sub(alert, "identifier", f"resilience-whatif-{uuid.uuid4()}")
    sub(alert, "sender", sender)
    sub(alert, "sent", _cap_time(sent))
    sub(alert, "status", "Exercise" if exercise else "Actual")
    sub(alert, "msgType", "Alert")
    sub(alert, "scope", "Restricted")
    sub(alert, "restriction", "For emergency responders; OFFICIAL-SENSITIVE")
    sub(alert, "note", result["banner"])
    info = sub(alert, "info")
    sub(info, "language", "en-GB")
    sub(info, "category", "Safety")
    sub(info, "event", f"Possible release of {inputs['substance_name']}")
    sub(info, "responseType", "Shelter")
    sub(info, "urgency", "Immediate")
    sub(info, "severity", "Severe")
    sub(info, "certainty", "Possible")
    sub(info, "senderName", sender)
    sub(info, "headline", f"What if it leaks: {inputs['substance_name']} (screening estimate)")
    sub(
        info,
        "description",
        f"Screening footprint for a release of {inputs['rate_g_s']:g} g/s of "
        f"{inputs['substance_name']} with the wind from {inputs['wind_from_deg']:g} degrees at "
        f"{inputs['wind_speed_m_s']:g} m/s (stability {inputs['stability']}). " + result["banner"],
    )
    sub(info, "instruction", "Go in, shut doors and windows, stay in and tune in, unless the "
        "emergency services tell you otherwise.")  # fmt: skip
    for area in _areas(result):
        block = sub(info, "area")
        sub(block, "areaDesc", area["label"] + (f" ({area['level']})" if "level" in area else ""))
        for rings in _rings(area["geometry"]):
            outer = rings[0]
            sub(block, "polygon", " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in outer))
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)
