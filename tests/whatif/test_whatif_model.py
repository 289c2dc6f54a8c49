"""The what-if's parts on their own: substances, Pasquill's table, inputs, zones and the sector."""

from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import Point

from resilience.domain.whatif.inputs import WhatIfInputError, parse_inputs
from resilience.domain.whatif.substances import substances
from resilience.domain.whatif.threat_zones import footprints_of
from resilience.domain.whatif.weather import bearing_of, pasquill_class, sector_half_angle_deg

GOOD = {
    "lat": "53.33",
    "lon": "-2.73",
    "substance": "chlorine",
    "rate": "1",
    "rate_unit": "kg/s",
    "duration_min": "60",
    "height_m": "0",
    "wind_speed": "3",
    "wind_from": "270",
    "stability": "D",
    "terrain": "rural",
}


def test_every_required_substance_is_built_in_with_levels_in_order() -> None:
    known = {s.name for s in substances().values()}
    for name in (
        "Chlorine", "Ammonia", "Hydrogen chloride", "Hydrogen fluoride", "Sulphur dioxide",
        "Hydrogen sulphide", "Phosgene", "Ethylene oxide",
    ):  # fmt: skip
        assert name in known
    for substance in substances().values():
        values = [level.mg_m3 for level in substance.levels]
        assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
        assert substance.source


def test_chlorine_levels_are_the_aegl_ppm_converted_at_25_degrees() -> None:
    chlorine = substances()["chlorine"]
    assert [(level.name, level.ppm) for level in chlorine.levels] == [
        ("AEGL-3", 20.0), ("AEGL-2", 2.0), ("AEGL-1", 0.5),
    ]  # fmt: skip
    assert chlorine.levels[0].mg_m3 == pytest.approx(20 * 70.906 / 24.45)


def test_a_flammable_gas_has_levels_as_fractions_of_its_lel() -> None:
    methane = substances()["methane"]
    assert [level.ppm for level in methane.levels] == [30_000.0, 5_000.0]  # 60 % and 10 % of 5 %


@pytest.mark.parametrize(
    ("speed", "sky", "expected"),
    [
        (1.5, "day_strong", "A"),
        (2.5, "day_strong", "B"),
        (4.0, "day_moderate", "C"),
        (5.5, "day_slight", "D"),
        (2.5, "night_cloudy", "E"),
        (2.5, "night_clear", "F"),
        (4.0, "night_clear", "E"),
        (7.0, "night_clear", "D"),
        (1.0, "overcast", "D"),
    ],
)
def test_pasquills_table(speed: float, sky: str, expected: str) -> None:
    assert pasquill_class(speed, sky) == expected


def test_compass_points_and_degrees() -> None:
    assert bearing_of("W") == 270.0
    assert bearing_of("wsw") == 247.5
    assert bearing_of("90") == 90.0
    assert bearing_of("west-ish") is None


def test_the_sector_widens_in_light_wind() -> None:
    assert sector_half_angle_deg(5.0) == 20.0
    assert sector_half_angle_deg(3.0) == 20.0
    assert sector_half_angle_deg(1.5) == pytest.approx(40.0)
    assert sector_half_angle_deg(0.5) == pytest.approx(120.0)
    assert sector_half_angle_deg(0.2) == 180.0


def test_the_stability_class_can_be_worked_out() -> None:
    inputs = parse_inputs({**GOOD, "stability": "auto", "sky": "night_clear", "wind_speed": "2.5"})
    assert inputs.stability == "F" and inputs.stability_worked_out


def test_rates_in_grams_and_kilograms() -> None:
    assert parse_inputs(GOOD).rate_g_s == 1000.0
    assert parse_inputs({**GOOD, "rate": "250", "rate_unit": "g/s"}).rate_g_s == 250.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"wind_speed": "0.49"}, "wind_speed"),
        ({"rate": "0"}, "rate"),
        ({"rate": "-2"}, "rate"),
        ({"duration_min": "0"}, "duration_min"),
        ({"substance": "kryptonite"}, "substance"),
        ({"stability": "Z"}, "stability"),
        ({"wind_from": "400"}, "wind_from"),
        ({"height_m": "-1"}, "height_m"),
        ({"lat": "95"}, "lat"),
        ({"stability": "auto", "sky": ""}, "sky"),
        (
            {"substance": "custom", "custom_unit": "ppm", "custom_molar_mass": "70.9",
             "custom_level_3": "2", "custom_level_2": "2"},
            "custom_level_3",
        ),
        (
            {"substance": "custom", "custom_level_3": "20", "custom_level_2": "2",
             "custom_level_1": "5"},
            "custom_level_2",
        ),
    ],
)  # fmt: skip
def test_bad_input_names_its_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(WhatIfInputError) as raised:
        parse_inputs({**GOOD, **changes})
    assert field in raised.value.errors


def test_calm_wind_says_what_to_do_instead() -> None:
    with pytest.raises(WhatIfInputError) as raised:
        parse_inputs({**GOOD, "wind_speed": "0.2"})
    message = raised.value.errors["wind_speed"]
    assert "calm" in message and "every direction" in message


def test_own_levels_in_ppm_are_converted() -> None:
    inputs = parse_inputs(
        {**GOOD, "substance": "custom", "custom_unit": "ppm", "custom_molar_mass": "70.906",
         "custom_level_3": "20", "custom_level_1": "0.5"}
    )  # fmt: skip
    assert [level.mg_m3 for level in inputs.levels] == pytest.approx(
        [20 * 70.906 / 24.45, 0.5 * 70.906 / 24.45]
    )


def test_a_wind_from_the_west_puts_every_zone_east_of_the_release() -> None:
    footprints = footprints_of(parse_inputs(GOOD))
    x0, y0 = footprints.source_bng
    for zone in footprints.zones:
        assert not zone.area_bng.is_empty
        min_x, min_y, max_x, max_y = zone.area_bng.bounds
        assert min_x >= x0 - 1e-6 and max_x > x0 + 100
        assert (max_y - min_y) < (max_x - min_x)  # long east-west, narrow north-south


def test_zones_are_nested_and_the_sector_holds_them() -> None:
    footprints = footprints_of(parse_inputs(GOOD))
    red, orange, yellow = (z.area_bng for z in footprints.zones)
    assert red.area < orange.area < yellow.area
    assert orange.buffer(0.5).contains(red) and yellow.buffer(0.5).contains(orange)
    assert footprints.sector_bng.buffer(0.5).contains(yellow)
    assert footprints.sector_half_angle_deg == 20.0


def test_the_sector_covers_the_footprint_turned_to_either_edge() -> None:
    inputs = parse_inputs(GOOD)
    footprints = footprints_of(inputs)
    source = Point(footprints.source_bng)
    for turn in (-20.0, -10.0, 10.0, 20.0):
        turned = footprints_of(parse_inputs({**GOOD, "wind_from": str(270 + turn)}))
        assert footprints.sector_bng.buffer(1.0).contains(turned.zones[-1].area_bng)
    # ... and no farther than the footprint's reach.
    reach = max(
        Point(c).distance(source) for c in shapely.get_coordinates(footprints.zones[-1].area_bng)
    )
    far = max(Point(c).distance(source) for c in shapely.get_coordinates(footprints.sector_bng))
    assert far == pytest.approx(reach, rel=1e-6)


def test_the_reach_is_limited_by_how_far_the_wind_carries_gas_in_the_duration() -> None:
    inputs = parse_inputs({**GOOD, "duration_min": "10", "wind_speed": "2"})
    assert inputs.max_distance_m == 1200.0
    yellow = footprints_of(inputs).zones[-1]
    assert yellow.max_distance_m == pytest.approx(1200.0)


def test_a_release_too_small_for_any_level_has_empty_zones_and_no_sector() -> None:
    footprints = footprints_of(parse_inputs({**GOOD, "rate": "0.000001", "rate_unit": "g/s"}))
    assert all(zone.area_bng.is_empty for zone in footprints.zones)
    assert footprints.sector_bng.is_empty


def test_an_elevated_release_starts_away_from_the_source() -> None:
    footprints = footprints_of(parse_inputs({**GOOD, "height_m": "40", "stability": "F"}))
    source = Point(footprints.source_bng)
    zone = next(z for z in footprints.zones if not z.area_bng.is_empty)
    assert zone.area_bng.distance(source) > 50
    assert math.isfinite(zone.max_distance_m)
