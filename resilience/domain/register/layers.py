"""The register's layers: which table each holds, its identifier in files, and its fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from resilience.storage.models import Establishment, Pipeline, RadiationPremises, Receptor, Ward

FieldKind = Literal["text", "longtext", "number", "integer", "choice", "date"]


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer, as it appears in files, forms and tables."""

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label)
    minimum: float | None = None
    hint: str = ""
    what: str = ""  # a date's name in its error messages; the label when empty


@dataclass(frozen=True)
class Layer:
    """A kind of record the register holds, imports and exports."""

    name: str  # in URLs and commands: "establishments"
    title: str  # "COMAH establishments"
    singular: str  # "establishment"
    model: type[Any]  # a mapped class of resilience.storage.models
    id_field: str  # the stable identifier's column in files
    id_attr: str  # the model attribute it maps to
    geometry_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    list_columns: tuple[str, ...]
    # What the form edits but files neither carry nor change: the dates duties count from.
    duty_fields: tuple[FieldSpec, ...] = ()

    def field(self, name: str) -> FieldSpec:
        """Return the field called `name`; raises KeyError when the layer has none."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


TIERS = (("upper", "Upper tier"), ("lower", "Lower tier"))
RECEPTOR_KIND_CHOICES = (
    ("school", "School"),
    ("nursery", "Nursery"),
    ("care_home", "Care home"),
    ("hospital", "Hospital"),
    ("other", "Other vulnerable place"),
)
RECEPTOR_KINDS = dict(RECEPTOR_KIND_CHOICES)
STATUSES = (("operational", "Operational"), ("proposed", "Proposed"), ("closed", "Closed"))

DISTANCES = (
    FieldSpec(
        "inner_m", "Inner zone distance (m)", "number", minimum=0, hint="Metres from the site"
    ),
    FieldSpec("middle_m", "Middle zone distance (m)", "number", minimum=0),
    FieldSpec(
        "outer_m", "Outer zone distance (m)", "number", minimum=0, hint="Consultation distance"
    ),
    FieldSpec("piz_m", "Public information zone (m)", "number", minimum=0),
)
PROVENANCE = (
    FieldSpec(
        "location_note",
        "Location note",
        "longtext",
        hint="Say here when a position or tier is illustrative rather than from a source",
    ),
    FieldSpec("source", "Source", "longtext", hint="Where these facts come from"),
)

ESTABLISHMENTS = Layer(
    name="establishments",
    title="COMAH establishments",
    singular="establishment",
    model=Establishment,
    id_field="site_id",
    id_attr="ref",
    geometry_types=("Point", "Polygon", "MultiPolygon"),
    fields=(
        FieldSpec("name", "Name", required=True),
        FieldSpec("operator", "Operator"),
        FieldSpec("address", "Address"),
        FieldSpec("postcode", "Postcode"),
        FieldSpec(
            "tier", "Tier", "choice", choices=TIERS, hint="Leave empty when no source states it"
        ),
        FieldSpec("substances", "Dangerous substances", "longtext"),
        FieldSpec("status", "Status", "choice", choices=STATUSES),
        *DISTANCES,
        *PROVENANCE,
    ),
    list_columns=("name", "operator", "tier", "status"),
    duty_fields=(
        FieldSpec(
            "information_received_on",
            "Operator's information for the external plan received on",
            "date",
            what="The date the operator's information was received",
            hint=(
                "Upper tier: the information the operator must give the council to prepare its "
                "external emergency plan (COMAH 2015 reg. 13(3) and (4)). The plan is due six "
                "months after it (reg. 13(2))."
            ),
        ),
        FieldSpec(
            "public_information_supplied_on",
            "Public information last supplied in the PIZ on",
            "date",
            what="The date the public information was last supplied",
            hint=(
                "Upper tier: when the operator last sent safety information to the people and "
                "places in its public information zone (COMAH 2015 reg. 18). This is the "
                "operator's duty, not the council's."
            ),
        ),
        FieldSpec(
            "liaison_officer",
            "Officer who liaises with the operator",
            hint=(
                "The e-mail address they sign in with. Reminders of the operator's duties go "
                "to them; to every officer when this is empty."
            ),
        ),
    ),
)

PIPELINES = Layer(
    name="pipelines",
    title="Major accident hazard pipelines",
    singular="pipeline",
    model=Pipeline,
    id_field="pipeline_id",
    id_attr="ref",
    geometry_types=("LineString", "MultiLineString"),
    fields=(
        FieldSpec("name", "Name", required=True),
        FieldSpec("operator", "Operator"),
        FieldSpec("substance", "Substance"),
        FieldSpec("diameter_mm", "Diameter (mm)", "number", minimum=0),
        FieldSpec("pressure_bar", "Maximum operating pressure (bar)", "number", minimum=0),
        FieldSpec("status", "Status", "choice", choices=STATUSES),
        *DISTANCES,
        *PROVENANCE,
    ),
    list_columns=("name", "operator", "substance", "status"),
)

REPPIR_ZONES = (
    FieldSpec(
        "depz_m",
        "Detailed emergency planning zone (m)",
        "number",
        minimum=0,
        hint=(
            "The distance from the premises the council determined (REPPIR 2019 reg. 8): the "
            "operator's recommended minimum, or more where the council extended it. Import the "
            "zone as a polygon instead when it follows roads or boundaries."
        ),
    ),
    FieldSpec(
        "opz_m",
        "Outline planning zone (m)",
        "number",
        minimum=0,
        hint="The distance the regulator set for the outline planning zone (REPPIR 2019 reg. 9)",
    ),
)

RADIATION_PREMISES = Layer(
    name="radiation-premises",
    title="Radiation premises",
    singular="radiation premises",
    model=RadiationPremises,
    id_field="premises_id",
    id_attr="ref",
    geometry_types=("Point", "Polygon", "MultiPolygon"),
    fields=(
        FieldSpec("name", "Name", required=True),
        FieldSpec("operator", "Operator"),
        FieldSpec("address", "Address"),
        FieldSpec("postcode", "Postcode"),
        FieldSpec(
            "substances",
            "Work with ionising radiation",
            "longtext",
            hint="For example a nuclear licensed site, or the sources a hospital or factory holds",
        ),
        FieldSpec("status", "Status", "choice", choices=STATUSES),
        *REPPIR_ZONES,
        *PROVENANCE,
    ),
    list_columns=("name", "operator", "status"),
    duty_fields=(
        FieldSpec(
            "information_received_on",
            "Consequences report received on",
            "date",
            what="The date the consequences report was received",
            hint=(
                "The operator's consequences report (REPPIR 2019 reg. 7). The council's "
                "off-site emergency plan is due eight months after it (reg. 11(4))."
            ),
        ),
    ),
)

WARDS = Layer(
    name="wards",
    title="Electoral wards",
    singular="ward",
    model=Ward,
    id_field="ward_code",
    id_attr="code",
    geometry_types=("Polygon", "MultiPolygon"),
    fields=(
        FieldSpec("name", "Name", required=True),
        FieldSpec("lad_code", "Local authority code"),
        FieldSpec("lad_name", "Local authority"),
        FieldSpec("population", "Population", "integer", minimum=0),
        FieldSpec("source", "Source", "longtext"),
    ),
    list_columns=("name", "lad_name", "population"),
)

RECEPTORS = Layer(
    name="receptors",
    title="Sensitive places",
    singular="sensitive place",
    model=Receptor,
    id_field="receptor_id",
    id_attr="ref",
    geometry_types=("Point", "Polygon", "MultiPolygon"),
    fields=(
        FieldSpec("name", "Name", required=True),
        FieldSpec("kind", "Kind", "choice", required=True, choices=RECEPTOR_KIND_CHOICES),
        FieldSpec("address", "Address"),
        FieldSpec("capacity", "Capacity (people)", "integer", minimum=0),
        FieldSpec("telephone", "Telephone", hint="The number to ring in working hours"),
        FieldSpec("email", "E-mail address"),
        FieldSpec(
            "out_of_hours",
            "Out-of-hours contact",
            hint="Name and number of whom to ring at night and at weekends",
        ),
        FieldSpec(
            "usual_people",
            "People usually there",
            "integer",
            minimum=0,
            hint="How many people are usually there during the day",
        ),
        *PROVENANCE,
    ),
    list_columns=("name", "kind", "address"),
)

LAYERS: dict[str, Layer] = {
    layer.name: layer for layer in (ESTABLISHMENTS, PIPELINES, RADIATION_PREMISES, WARDS, RECEPTORS)
}
# What each kind of hazard is called in a sentence or a table's cell.
HAZARD_KIND_LABELS: dict[str, str] = {
    "establishment": "COMAH establishment",
    "pipeline": "Pipeline",
    "radiation_premises": "Radiation premises",
}
# The layer of each kind of hazard, by the kind stored in the hazards table.
HAZARD_LAYERS: dict[str, Layer] = {
    "establishment": ESTABLISHMENTS,
    "pipeline": PIPELINES,
    "radiation_premises": RADIATION_PREMISES,
}
# Files name wards' name column `ward_name` (as ONS-derived files and the exposure command do).
FILE_ALIASES: dict[str, dict[str, str]] = {"wards": {"ward_name": "name"}}
