"""The built-in substances and their levels of concern, read from ``substances.json``.

Toxic gases carry the US EPA's 60-minute AEGL-1/2/3 in ppm; flammable gases a lower explosive
limit and the fractions of it that are drawn. Every level is turned into mg/m³ at 25 °C
(DESIGN.md §6) here, once, so that the model works in one unit.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resilience.spatial.dispersion import ppm_to_mg_m3

DATA_FILE = Path(__file__).with_name("substances.json")
# Threat-zone colours as ALOHA draws them: the most severe level red, then orange, then yellow.
ZONE_COLOURS = ("red", "orange", "yellow")


@dataclass(frozen=True)
class Level:
    """One level of concern: its name, value in mg/m³ (and ppm when given so), and source."""

    name: str
    mg_m3: float
    ppm: float | None = None
    source: str = ""


@dataclass(frozen=True)
class Substance:
    """A substance of the built-in list, with its levels from the most to the least severe."""

    id: str
    name: str
    cas: str
    molar_mass_g_mol: float
    kind: str  # "toxic" or "flammable"
    levels: tuple[Level, ...]
    source: str
    checked: bool
    note: str = ""


def _toxic_levels(entry: dict[str, Any]) -> tuple[Level, ...]:
    ppm_by_name: dict[str, float | None] = entry["levels_ppm"]
    found = [
        Level(
            name, ppm_to_mg_m3(float(ppm), entry["molar_mass_g_mol"]), float(ppm), entry["source"]
        )
        for name, ppm in ppm_by_name.items()
        if ppm is not None
    ]
    return tuple(sorted(found, key=lambda level: -level.mg_m3))


def _flammable_levels(entry: dict[str, Any]) -> tuple[Level, ...]:
    lel_ppm = float(entry["lel_percent"]) * 10_000.0
    found = [
        Level(
            name,
            ppm_to_mg_m3(lel_ppm * fraction, entry["molar_mass_g_mol"]),
            lel_ppm * fraction,
            entry["source"],
        )
        for name, fraction in entry["lel_fractions"].items()
    ]
    return tuple(sorted(found, key=lambda level: -level.mg_m3))


@functools.cache
def substances() -> dict[str, Substance]:
    """Return the built-in substances by id, in the data file's order."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    out: dict[str, Substance] = {}
    for entry in data["substances"]:
        levels = _toxic_levels(entry) if entry["kind"] == "toxic" else _flammable_levels(entry)
        out[entry["id"]] = Substance(
            id=entry["id"],
            name=entry["name"],
            cas=entry["cas"],
            molar_mass_g_mol=float(entry["molar_mass_g_mol"]),
            kind=entry["kind"],
            levels=levels,
            source=entry["source"],
            checked=bool(entry.get("checked")),
            note=entry.get("note", ""),
        )
    return out
