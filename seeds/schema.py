"""Record types of the knowledge base, validated with pydantic.

Each model checks what one record can check on its own: types, enums, id shapes,
colour codes, numbers.  Checks that need other records (references, uniqueness,
quotes in the cited document, framework coverage) live in :mod:`seeds.loader`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PlanId = Annotated[str, Field(pattern=r"^\d{3}$", description="three-digit document id, e.g. '002'")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", description="lowercase ascii slug")]
Adcode = Annotated[int, Field(ge=500000, le=500999, description="Chongqing county-level adcode")]
Year = Annotated[int, Field(ge=2000, le=2050)]

# exact ≤200 m · approx ≤2 km · approx ≤10 km · the district's representative point ·
# unknown: not even the district is known, so the site is listed but not drawn.
Precision = Literal["exact", "approx_2km", "approx_10km", "district_centroid", "unknown"]
PRECISIONS: tuple[str, ...] = ("exact", "approx_2km", "approx_10km", "district_centroid", "unknown")
_NO_POINT = ("district_centroid", "unknown")

SiteCategory = Literal[
    "business_district",
    "business_finance_district",
    "logistics_hub",
    "port",
    "bonded_zone",
    "software_park",
    "science_innovation",
    "exhibition",
    "inspection_testing_park",
    "culture_creative_park",
    "culture_tourism",
    "health_park",
    "development_zone",
    "service_cluster",
    "landmark_building",
]


class Record(BaseModel):
    """Base of all records: unknown keys are an error, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Record):
    """Where a fact is stated: document, clause (logical place) and a short verbatim quote."""

    plan: PlanId
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=2, max_length=400)


class Plan(Record):
    id: PlanId
    file: str
    title_zh: str
    title_en: str
    number: str | None
    issuer_zh: str
    issuer_en: str
    date: str = Field(pattern=r"^\d{4}(-\d{2}-\d{2})?$")
    status: Literal["issued", "draft"]
    scope: Literal["city", "district"]
    scope_adcode: Adcode | None = None
    base_year: Year | None
    start_year: Year
    end_year: Year
    horizons: list[Year] = Field(min_length=1)
    framework: Slug | None = None
    summary_en: str
    citation: Citation

    @model_validator(mode="after")
    def _span(self) -> Plan:
        if self.start_year > self.end_year:
            raise ValueError(f"start_year {self.start_year} is after end_year {self.end_year}")
        if (self.scope == "district") != (self.scope_adcode is not None):
            raise ValueError("scope 'district' needs scope_adcode, scope 'city' must not have one")
        return self


class Sector(Record):
    id: Slug
    name_zh: str
    name_en: str
    kind: Literal["producer", "consumer", "mixed"]
    gbt4754: str | None = Field(pattern=r"^[A-T]$")
    gbt4754_note: str
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    aliases: dict[PlanId, list[str]] = Field(default_factory=dict)


class District(Record):
    adcode: Adcode
    name_zh: str
    short_zh: str
    name_en: str
    kind: Literal["district", "county"]


class ZoneFunction(Citation):
    """A planned function of a zone in one plan: the quote and an English summary."""

    summary_en: str


class Zone(Record):
    id: Slug
    name_zh: str
    name_en: str
    named: list[Adcode] = Field(default_factory=list, description="members the text names")
    conventional: list[Adcode] = Field(
        default_factory=list, description="members by the standard administrative definition"
    )
    basis_note: str
    sectors: list[Slug] = Field(default_factory=list)
    functions: list[ZoneFunction] = Field(default_factory=list)

    @property
    def members(self) -> list[int]:
        return [*self.named, *self.conventional]


class SubArea(Record):
    """A named part of a zone that is not a partition of districts (e.g. the core's four areas)."""

    id: Slug
    zone: Slug
    name_zh: str
    name_en: str
    districts: list[Adcode] = Field(min_length=1)
    basis_note: str
    sectors: list[Slug] = Field(default_factory=list)
    functions: list[ZoneFunction] = Field(min_length=1)


class Location(Record):
    """A WGS-84 point with its precision class and how it was chosen.

    A site whose place is not known has ``precision: district_centroid`` and no
    coordinates: geo/ puts it on its district's representative point.  A site whose
    district is not known either has ``precision: unknown``: it is listed, not drawn.
    """

    lon: float | None = Field(default=None, ge=105.0, le=110.5)
    lat: float | None = Field(default=None, ge=28.0, le=32.5)
    precision: Precision
    method: str = Field(min_length=3)

    @model_validator(mode="after")
    def _coords_match_precision(self) -> Location:
        has = (self.lon is not None, self.lat is not None)
        if has[0] != has[1]:
            raise ValueError("give both lon and lat, or neither")
        if self.precision in _NO_POINT and has[0]:
            raise ValueError(
                f"precision '{self.precision}' takes no lon/lat (a district_centroid point is computed "
                "from the district); remove them or choose a finer precision"
            )
        if self.precision not in _NO_POINT and not has[0]:
            raise ValueError(f"precision '{self.precision}' needs lon and lat")
        return self


class CentreRef(Citation):
    horizon: Year


class Centre(Record):
    """A regional service-centre city (区域性服务业中心城市), drawn as a point at its urban centre."""

    id: Slug
    adcode: Adcode
    name_zh: str
    name_en: str
    location: Location
    refs: list[CentreRef] = Field(min_length=1)


class Framework(Record):
    id: Slug
    name_zh: str
    name_en: str
    plans: list[PlanId] = Field(min_length=1)
    citation: Citation
    zones: list[Zone] = Field(min_length=2)
    subareas: list[SubArea] = Field(default_factory=list)
    centres: list[Centre] = Field(default_factory=list)


class SiteRef(Citation):
    horizon: Year
    role_zh: str
    role_en: str
    functions_zh: str
    functions_en: str
    named_as: str | None = Field(
        default=None,
        description="the words of the quote that name the site, where they are neither its name nor an alias "
        "(e.g. '万州' in '万州、涪陵…等区县核心商圈')",
    )


class Site(Record):
    id: Slug
    name_zh: str
    aliases: list[str] = Field(default_factory=list)
    name_en: str
    category: SiteCategory
    sectors: list[Slug] = Field(min_length=1)
    districts: list[Adcode] = Field(default_factory=list)
    location: Location
    refs: list[SiteRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _district_known_unless_unknown(self) -> Site:
        unknown = self.location.precision == "unknown"
        if unknown and self.districts:
            raise ValueError("precision 'unknown' is for sites whose district is not known; use 'district_centroid'")
        if not unknown and not self.districts:
            raise ValueError("name the district(s) the site lies in, or set location precision 'unknown'")
        return self


class Indicator(Record):
    id: Slug
    name_zh: str
    name_en: str
    sector: Slug | None
    unit: str


Comparator = Literal["=", ">=", ">", "~", "<="]

# Units after normalisation: 万亿元 and 万亿 are restated in 亿元.
_UNNORMALISED = re.compile(r"万亿")


class Target(Record):
    id: Annotated[str, Field(pattern=r"^t\d{3}_[a-z0-9_]+$")]
    kind: Literal["target", "baseline"]
    indicator: Slug
    plan: PlanId
    scope: Literal["city", "district"]
    scope_adcode: Adcode | None = None
    indicator_zh: str
    indicator_en: str
    sector: Slug | None
    unit: str
    unit_original: str
    base_year: Year | None = None
    base_value: float | None = None
    target_year: Year | None = None
    target_value: float | None = None
    comparator: Comparator | None = None
    value_text: str
    growth_rate_pct: float | None = None
    growth_text: str | None = None
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=2, max_length=400)
    note: str | None = None

    @field_validator("unit")
    @classmethod
    def _unit_normalised(cls, unit: str) -> str:
        if _UNNORMALISED.search(unit):
            raise ValueError(f"unit '{unit}' is not normalised: restate 万亿元 as 亿元 (×10000)")
        return unit

    @model_validator(mode="after")
    def _shape(self) -> Target:
        if (self.scope == "district") != (self.scope_adcode is not None):
            raise ValueError("scope 'district' needs scope_adcode, scope 'city' must not have one")
        if self.kind == "target" and (self.target_year is None or self.target_value is None):
            if self.growth_rate_pct is None:
                raise ValueError("a target needs target_year and target_value (or a growth rate)")
        if self.kind == "baseline" and (self.base_year is None or self.base_value is None):
            raise ValueError("a baseline needs base_year and base_value")
        if (self.base_year is None) != (self.base_value is None):
            raise ValueError("give base_year and base_value together")
        return self
