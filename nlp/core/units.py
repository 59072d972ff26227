"""Units as validated data: UCUM codes, display forms, dimensions, written forms, time units.

Tables: ``nlp/resources/units.json`` (every unit the pipeline recognises or a lexicon names, the
written forms the value grammar reads, per-analyte conversions, aliases) and
``nlp/resources/time_units.json`` (the one time-unit table of the package: a, mo, wk, d, h, min
with their length in days: year = 365.25 days, month = year/12, week = 7, day = 1, hour = 1/24,
minute = 1/1440). Both are read once and validated on load; ``python -m nlp.core.units``
validates them and prints a summary.

Conversions inside one dimension (g/L <-> g/dL <-> mg/dL; 10*9/L <-> /uL; years <-> months), and
per analyte across dimensions (creatinine umol/L <-> mg/dL x88.4, bilirubin x17.1, glucose
mmol/L <-> mg/dL /18). Anything else is not convertible (``None``), never guessed.

spaCy-free: imports nothing from the pipeline or the constraints.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nlp.core.tables import Number, TableError, check_pattern, fullmatches, read_table

UNITS_FILE = "units.json"
TIME_UNITS_FILE = "time_units.json"
TIME = "time"  # the dimension of time units; its base unit is the day
SCORE = "score"  # the dimension of scales' points, and of a bare number of a score

_Code = Annotated[str, Field(min_length=1, pattern=r"^\S+$")]  # UCUM, no whitespace
_Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: _Code  # UCUM
    display: str = Field(min_length=1)  # for people: "×10⁹/L", "mmHg", "points"
    dimension: _Name
    factor: Number = Field(gt=0)  # value in the dimension's base unit = value x factor
    note: str | None = None
    # False: read where written ("121 lbs"), never assumed for a number written without a unit
    # (``implied_unit``: a bare "weight > 100" is read in the metric units alone)
    # "own": assumed only for an analyte measured in it itself ("PEEP 5" is cm H2O; a bare
    # "systolic blood pressure > 180" is mmHg, never 180 cm H2O, though both are plausible)
    implied: bool | Literal["own"] = True
    # implied only for numbers below this ("{fraction}": a fraction of one is written below one;
    # "FEV1 < 1.0" is litres, no 100 %)
    implied_below: Number | None = None
    # the unit a value written in this one is, with its number unchanged, for an analyte measured in
    # it ("Temperature > 38°": a bare degree sign is a degree Celsius for a temperature, an angle
    # elsewhere)
    read_as: _Code | None = None
    # the analyte (a lexicon id) a value in this unit is a reading of wherever no analyte is named:
    # the unit says what is counted ("more than 5 units of alcohol per day", "> 21 alcoholic
    # beverages per week": alcohol_consumption)
    analyte: str | None = None


class WrittenForm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pattern: str  # regex of a written form
    code: _Code
    case_sensitive: bool = False  # when a matched form is mapped to its code
    examples: tuple[str, ...] = Field(min_length=1)  # each must be read as ``code``

    @property
    def flags(self) -> int:
        return 0 if self.case_sensitive else re.I

    @model_validator(mode="after")
    def _check(self) -> WrittenForm:
        check_pattern(self.pattern, self.flags)
        for ex in self.examples:
            if not fullmatches(self.pattern, ex, self.flags):
                raise ValueError(f"example {ex!r} does not match pattern {self.pattern!r}")
        return self


class AnalyteConversion(BaseModel):
    """One analyte across dimensions: molar value = mass value x ``molar_per_mass``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    analyte: _Name
    molar_unit: str
    mass_unit: str
    molar_per_mass: Number | None = Field(default=None, gt=0)  # creatinine: 1 mg/dL = 88.4 umol/L
    mass_per_molar: Number | None = Field(default=None, gt=0)  # glucose: 1 mmol/L = 18 mg/dL

    @model_validator(mode="after")
    def _one_factor(self) -> AnalyteConversion:
        if (self.molar_per_mass is None) == (self.mass_per_molar is None):
            raise ValueError("give exactly one of 'molar_per_mass' and 'mass_per_molar'")
        return self

    @property
    def factor(self) -> float:
        """molar value = mass value x factor (both in this entry's units)."""
        if self.molar_per_mass is not None:
            return self.molar_per_mass
        assert self.mass_per_molar is not None  # _one_factor: exactly one of the two is set
        return 1.0 / self.mass_per_molar


class ScaleLength(BaseModel):
    """A scale read off a line of known length: points = length in ``length_unit`` x
    ``points_per_unit`` (a visual analogue scale is a 100 mm line: "VAS > 40 mm" is 40 points of
    100, "≥ 2 cm" 20)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    analyte: _Name
    length_unit: str
    points_per_unit: Number = Field(gt=0)


_Word = Annotated[str, Field(pattern=r"^[a-z]+$")]


class DimensionWords(BaseModel):
    """Words a measured quantity's name ends in ("wall thickness", "diameter of the defect") with
    the dimensions its values are written in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: tuple[_Word, ...] = Field(min_length=1)
    dimensions: tuple[_Name, ...] = Field(min_length=1)
    # False: the word says how the quantity is expressed, not what it is, and is left out of its
    # name ("Glomerular sclerosis ratio ≤ 50%" is glomerular sclerosis, in percent)
    in_name: bool = True
    # True: the word alone names what is measured ("stenosis > 70%"), as "diameter" alone does not
    alone: bool = False


class DimensionNames(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    words: tuple[DimensionWords, ...] = Field(min_length=1)
    qualifiers: tuple[_Word, ...] = ()  # words that name no quantity alone ("longest dimension")

    @model_validator(mode="after")
    def _once(self) -> DimensionNames:
        seen = [w for g in self.words for w in g.words] + list(self.qualifiers)
        dup = sorted({w for w in seen if seen.count(w) > 1})
        if dup:
            raise ValueError(f"dimension word listed twice: {', '.join(dup)}")
        return self


class UnitsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    units: tuple[Unit, ...] = Field(min_length=1)
    written: tuple[WrittenForm, ...]
    analytes: tuple[AnalyteConversion, ...] = ()
    scale_lengths: tuple[ScaleLength, ...] = ()
    aliases: dict[str, str] = {}
    # dimensions one analyte's readings are written in interchangeably ("Karnofsky 60%" on a
    # points scale, hemoglobin in g/dL or mmol/L): a value in another dimension is not a reading of it
    readable_as: tuple[tuple[_Name, ...], ...] = ()
    # a number written without its unit is read in a unit where it lies within this factor of the
    # analyte's normal range (a threshold is a fraction or a multiple of normal, never 100-fold off)
    implied_near_normal: float = Field(default=5.0, gt=1.0)
    dimension_words: DimensionNames | None = None

    @model_validator(mode="after")
    def _references(self) -> UnitsFile:
        dims = {u.dimension for u in self.units} | {TIME}
        for g in self.dimension_words.words if self.dimension_words else ():
            if not set(g.dimensions) <= dims:
                raise ValueError(f"dimension_words {list(g.words)}: unknown dimensions {sorted(set(g.dimensions) - dims)}")
        for group in self.readable_as:
            if len(group) < 2 or not set(group) <= dims:
                raise ValueError(f"readable_as {list(group)}: two or more known dimensions ({sorted(set(group) - dims)} unknown)")
        codes: dict[str, Unit] = {}
        for u in self.units:
            if u.code in codes:
                raise ValueError(f"unit {u.code!r} listed twice")
            codes[u.code] = u
        for i, w in enumerate(self.written):
            if w.code not in codes:
                raise ValueError(f"written[{i}] ({w.pattern!r}) maps to unknown unit {w.code!r}")
        for a in self.analytes:
            for unit, dim in ((a.molar_unit, "molar"), (a.mass_unit, "mass_conc")):
                if unit not in codes:
                    raise ValueError(f"analyte {a.analyte!r}: unknown unit {unit!r}")
                if codes[unit].dimension != dim:
                    raise ValueError(
                        f"analyte {a.analyte!r}: {unit!r} is {codes[unit].dimension}, not {dim}"
                    )
        for alias, code in self.aliases.items():
            if code not in codes:
                raise ValueError(f"alias {alias!r} names unknown unit {code!r}")
        for sl in self.scale_lengths:
            if sl.length_unit not in codes or codes[sl.length_unit].dimension != "length":
                raise ValueError(f"scale_lengths {sl.analyte!r}: {sl.length_unit!r} is no unit of length")
        return self


class TimeUnit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: _Code  # UCUM: a, mo, wk, d, h, min
    name: str = Field(pattern=r"^[a-z]+$")  # the English word: "year"
    display: str = Field(min_length=1)  # "years"
    days: Number = Field(gt=0)
    written: tuple[str, ...] = Field(min_length=1)  # regex alternatives, tried in order
    examples: tuple[str, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    # "the past <name>" without a number: a window always, only after a preposition, or never
    bare_window: Literal["always", "after_preposition", "never"] = "never"

    @field_validator("written")
    @classmethod
    def _compile(cls, written: tuple[str, ...]) -> tuple[str, ...]:
        for p in written:
            check_pattern(p)
        return written

    @property
    def pattern(self) -> str:
        return "|".join(self.written)

    @model_validator(mode="after")
    def _examples(self) -> TimeUnit:
        for ex in self.examples:
            if not fullmatches(self.pattern, ex):
                raise ValueError(
                    f"example {ex!r} does not match the written forms of {self.code!r}"
                )
        return self


class TimeUnitsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    units: tuple[TimeUnit, ...] = Field(min_length=1)
    # words written between an amount and its unit that leave the amount as it is ("4 consecutive
    # weeks", "12 calendar months", "72 continuous hours")
    amount_fillers: tuple[str, ...] = ()

    @field_validator("amount_fillers")
    @classmethod
    def _words(cls, fillers: tuple[str, ...]) -> tuple[str, ...]:
        for w in fillers:
            if not re.fullmatch(r"[a-z]+", w):
                raise ValueError(f"amount filler {w!r}: one lower-case word")
        return fillers

    @model_validator(mode="after")
    def _one_rule(self) -> TimeUnitsFile:
        for what, keys in (
            ("code", [t.code for t in self.units]),
            ("name", [t.name for t in self.units]),
            ("alias", [a for t in self.units for a in t.aliases]),
        ):
            dup = sorted({k for k in keys if keys.count(k) > 1})
            if dup:
                raise ValueError(f"time unit {what} listed twice: {', '.join(dup)}")
        by = {t.code: t.days for t in self.units}
        if "a" in by and "mo" in by and by["mo"] != by["a"] / 12:
            raise ValueError(f"a month must be a year/12 days ({by['a'] / 12}), not {by['mo']}")
        return self


# --- loading --------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def load_units(path: str | None = None) -> UnitsFile:
    return read_table(Path(path) if path else UNITS_FILE, UnitsFile)


@lru_cache(maxsize=8)
def load_time_units(path: str | None = None) -> TimeUnitsFile:
    return read_table(Path(path) if path else TIME_UNITS_FILE, TimeUnitsFile)


@dataclass(frozen=True)
class _Index:
    family: dict[str, tuple[str, float]]  # code -> (dimension, factor to the base unit)
    display: dict[str, str]
    analytes: dict[str, AnalyteConversion]
    scale_lengths: dict[str, ScaleLength]
    aliases: dict[str, str]
    time_codes: tuple[str, ...]
    readable_as: tuple[frozenset[str], ...]
    not_implied: frozenset[str]
    own_implied: frozenset[str]  # implied only for an analyte measured in it (``Unit.implied`` "own")
    near_normal: float
    implied_below: dict[str, float]
    dimension_words: dict[str, frozenset[str]]  # "diameter" -> {"length"}
    qualifiers: frozenset[str]
    unnamed_words: frozenset[str]  # dimension words left out of a quantity's name
    read_as: dict[str, str]  # "deg" -> "Cel" (``Unit.read_as``)
    analytes_named: dict[str, str]  # "{drinks}/d" -> "alcohol_consumption" (``Unit.analyte``)
    alone_words: frozenset[str] = frozenset()  # dimension words that name a quantity alone


@lru_cache(maxsize=1)
def _index() -> _Index:
    units, times = load_units(), load_time_units()
    family = {u.code: (u.dimension, u.factor) for u in units.units}
    display = {u.code: u.display for u in units.units}
    aliases = dict(units.aliases)
    for t in times.units:
        if t.code in family:
            raise TableError(f"{TIME_UNITS_FILE}: {t.code!r} is also a unit of {UNITS_FILE}")
        family[t.code] = (TIME, t.days)
        display[t.code] = t.display
        for a in t.aliases:
            if a in aliases:
                raise TableError(f"{TIME_UNITS_FILE}: alias {a!r} is also an alias in {UNITS_FILE}")
            aliases[a] = t.code
    return _Index(
        family,
        display,
        {a.analyte: a for a in units.analytes},
        {sl.analyte: sl for sl in units.scale_lengths},
        aliases,
        tuple(t.code for t in times.units),
        tuple(frozenset(g) for g in units.readable_as),
        frozenset(u.code for u in units.units if u.implied is False),
        frozenset(u.code for u in units.units if u.implied == "own"),
        units.implied_near_normal,
        {u.code: float(u.implied_below) for u in units.units if u.implied_below is not None},
        {w: frozenset(g.dimensions) for g in units.dimension_words.words for w in g.words} if units.dimension_words else {},
        frozenset(units.dimension_words.qualifiers) if units.dimension_words else frozenset(),
        frozenset(w for g in units.dimension_words.words if not g.in_name for w in g.words) if units.dimension_words else frozenset(),
        {u.code: u.read_as for u in units.units if u.read_as},
        {u.code: u.analyte for u in units.units if u.analyte},
        frozenset(w for g in units.dimension_words.words if g.alone for w in g.words) if units.dimension_words else frozenset(),
    )


# spellings used by answer keys and users -> UCUM
ALIASES: dict[str, str] = _index().aliases


def written_units() -> tuple[WrittenForm, ...]:
    """The written forms of units.json, in the order they are tried (longest first)."""
    return load_units().written


def time_units() -> tuple[TimeUnit, ...]:
    """The time units of time_units.json, in the order their written forms are tried."""
    return load_time_units().units


def amount_fillers() -> tuple[str, ...]:
    """Words written between an amount and its time unit that leave the amount as it is."""
    return load_time_units().amount_fillers


def time_unit_codes() -> tuple[str, ...]:
    return _index().time_codes


# --- the API --------------------------------------------------------------------------------


def ucum(unit: str | None) -> str | None:
    if unit is None:
        return None
    return ALIASES.get(unit, unit)


def dimension(unit: str | None) -> str | None:
    """ "mass_conc", "molar", "count", "time", ...; None for an unknown unit."""
    fam = _index().family.get(ucum(unit) or "")
    return fam[0] if fam else None


@lru_cache(maxsize=1)
def dimension_word_re() -> re.Pattern[str]:
    """A word a measured quantity's name ends in (units.json ``dimension_words``), singular or
    plural, as group ``word``: "thickness", "diameters"."""
    words = sorted(_index().dimension_words, key=len, reverse=True)
    return re.compile(r"\b(?P<word>" + "|".join(words) + r")s?\b", re.I) if words else re.compile(r"(?!)")


def quantity_dimensions(word: str) -> frozenset[str]:
    """The dimensions the values of a quantity named by ``word`` are written in ("size": length,
    area or volume); empty for a word that names no quantity."""
    w = word.lower()
    return _index().dimension_words.get(w) or _index().dimension_words.get(w.removesuffix("s"), frozenset())


def in_quantity_name(word: str) -> bool:
    """Whether a dimension word is part of the quantity's name ("thickness"), or says how it is
    expressed and is left out ("ratio", "percentage")."""
    w = word.lower()
    return w not in _index().unnamed_words and w.removesuffix("s") not in _index().unnamed_words


def is_qualifier(word: str) -> bool:
    """A word that names no quantity alone ("longest", "mean", "total")."""
    return word.lower() in _index().qualifiers


def quantity_reads(name: str, unit: str | None) -> bool | None:
    """Whether a value in ``unit`` can be a reading of the quantity ``name`` by the dimension
    word it ends in ("cartilage defect diameter": a length, not a percent); None when its last
    word names no quantity."""
    words = name.split()
    dims = quantity_dimensions(words[-1].strip(".,;:()")) if words else frozenset()
    if not dims:
        return None
    if unit is None:
        return SCORE in dims  # a bare number reads a score ("Ferriman-Gallwey score > 8"), no length
    return dimension(unit) in dims


def names_nothing(name: str) -> bool:
    """A quantity's name that is its dimension word with qualifiers alone ("Longest diameter",
    "size"): it does not say what is measured."""
    words = [w.strip(".,;:()") for w in name.split()]
    return bool(words) and bool(quantity_dimensions(words[-1])) and words[-1].lower() not in _index().alone_words \
        and all(is_qualifier(w) for w in words[:-1])


def read_as(unit: str | None) -> str | None:
    """The unit a value written in ``unit`` is for an analyte measured in that one, its number
    unchanged ("deg" -> "Cel": "Temperature > 38°"); None for most units."""
    return _index().read_as.get(ucum(unit) or "")


def named_analyte(unit: str | None) -> str | None:
    """The analyte a value in ``unit`` reads where none is named (``Unit.analyte``: "{drinks}/d"
    -> "alcohol_consumption"); None for most units."""
    return _index().analytes_named.get(ucum(unit) or "")


def may_measure(unit: str | None, analyte_unit: str | None, analyte: str | None = None) -> bool:
    """Whether a value written in ``unit`` can be a reading of an analyte measured in
    ``analyte_unit``: the same dimension, a conversion for that analyte, or dimensions listed
    together in units.json's ``readable_as``. An unknown unit is no evidence either way (True)."""
    du, da = dimension(unit), dimension(analyte_unit)
    if du is None or da is None or du == da:
        return True
    if conversion_steps(unit, analyte_unit, analyte) is not None:
        return True
    return any(du in g and da in g for g in _index().readable_as)


def implied_unit(analyte_unit: str | None, values: list[float], plausible: tuple[float, float] | None,
                 analyte: str | None = None, normal: tuple[float, float] | None = None) -> str | None:
    """The unit a value written without one must be in: among the units of the analyte's
    dimension, those in which every value lies in the analyte's plausible range and, where the
    analyte has a ``normal`` range, within units.json's ``implied_near_normal`` factor of it, when
    they all give the same quantity (BMI 40 -> kg/m2; ANC 500 -> /uL, as 0.5 x10^9/L is the only
    plausible reading; hemoglobin 10 -> g/dL, as 10 g/L is no hemoglobin a criterion asks about).
    None when the readings differ and when none fits. An analyte read in two dimensions (units.json
    ``analytes``) is read in its two conventional units alone, mass and molar: glucose 200 is mg/dL
    (200 mmol/L is no glucose), creatinine 150 umol/L; bilirubin 2 stays unread, a plausible 2 mg/dL
    and 2 umol/L alike (and near its normal range both)."""
    dim = dimension(analyte_unit)
    index = _index()
    if dim is None or dim == TIME or plausible is None or not values:
        return None
    if analyte in index.analytes:
        return _implied_across(analyte_unit, values, plausible, index.analytes[analyte], normal, index.near_normal)
    low, high = _window(plausible, normal, index.near_normal)
    fitting: list[tuple[str, float]] = []
    for code, (d, factor) in index.family.items():
        if d != dim or code in index.time_codes or code in index.not_implied or (code in index.own_implied and code != analyte_unit):
            continue
        if code in index.implied_below and any(v >= index.implied_below[code] for v in values):
            continue
        xs = [convert(v, code, analyte_unit, analyte) for v in values]
        if all(x is not None and low <= x <= high for x in xs):
            fitting.append((code, factor))
    if not fitting or any(abs(f - fitting[0][1]) > 1e-12 * abs(fitting[0][1]) for _, f in fitting):
        return None
    return fitting[0][0]


def _window(plausible: tuple[float, float], normal: tuple[float, float] | None, near_normal: float) -> tuple[float, float]:
    """The values an implied unit must give: the plausible range, narrowed, where a ``normal``
    range is given, to within ``near_normal`` times of it."""
    low, high = plausible
    if normal is not None:
        low, high = max(low, normal[0] / near_normal), min(high, normal[1] * near_normal)
    return low, high


def _implied_across(analyte_unit: str | None, values: list[float], plausible: tuple[float, float],
                    conv: AnalyteConversion, normal: tuple[float, float] | None, near_normal: float) -> str | None:
    """``implied_unit`` for an analyte read in two dimensions: the one of its conventional mass and
    molar units in which every value is plausible (and, given ``normal``, near the normal range)."""
    low, high = _window(plausible, normal, near_normal)
    fitting = []
    for code in (conv.mass_unit, conv.molar_unit):
        xs = [convert(v, code, analyte_unit, conv.analyte) for v in values]
        if all(x is not None and low <= x <= high for x in xs):
            fitting.append(code)
    return fitting[0] if len(fitting) == 1 else None


def days_per(unit: str | None) -> float | None:
    """Days in one ``unit`` of time (mo: 30.4375); None when ``unit`` is not a time unit."""
    fam = _index().family.get(ucum(unit) or "")
    return fam[1] if fam and fam[0] == TIME else None


def to_days(value: float | None, unit: str | None) -> float | None:
    """``value`` ``unit`` in days ("3 mo" -> 91.3125); None when not a time or no value."""
    d = days_per(unit)
    return None if d is None or value is None else value * d


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_POWER = re.compile(r"10\*(-?\d+)(/.*)?")


def display(unit: str | None) -> str:
    """The unit as people write it ("×10⁹/L", "mmHg", "points", "mL/min/1.73 m²")."""
    if unit is None:
        return ""
    code = ucum(unit) or unit
    shown = _index().display.get(code)
    if shown is not None:
        return shown
    m = _POWER.fullmatch(code)  # "10*4/L", made by the value grammar from "x 10^4/L"
    if m:
        per = m.group(2) or ""
        return f"×10{m.group(1).translate(_SUPERSCRIPT)}{display(per) if per else ''}"
    return code


def convert(
    value: float, from_unit: str | None, to_unit: str | None, analyte: str | None = None
) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when not convertible."""
    steps = conversion_steps(from_unit, to_unit, analyte)
    if steps is None:
        return None
    for op, k in steps:
        value = value * k if op == "*" else value / k
    return value


Step = tuple[str, float]  # ("*", k) or ("/", k), applied in order


def conversion_steps(from_unit: str | None, to_unit: str | None, analyte: str | None = None) -> tuple[Step, ...] | None:
    """The arithmetic ``convert`` applies, in order (empty: the same unit; None: not
    convertible), so that another engine (the cohort SQL) computes the same floating-point value."""
    f, t = ucum(from_unit), ucum(to_unit)
    if f == t:
        return ()
    if f is None or t is None:
        return None
    index = _index()
    if index.read_as.get(f) == t:
        return ()  # "38°" for a temperature: degrees Celsius, the number unchanged
    ff, tf = index.family.get(f), index.family.get(t)
    if ff and tf and ff[0] == tf[0]:
        return (("*", ff[1]), ("/", tf[1]))
    line = index.scale_lengths.get(analyte or "")
    if line is not None and ff and tf and {ff[0], tf[0]} == {"length", "score"}:
        # a scale read off a line: the length in the line's unit, then its points (or back; the
        # score's one unit is its points)
        if ff[0] == "length":
            steps = conversion_steps(f, line.length_unit)
            return None if steps is None else (*steps, ("*", line.points_per_unit))
        steps = conversion_steps(line.length_unit, t)
        return None if steps is None else (("/", line.points_per_unit), *steps)
    conv = index.analytes.get(analyte or "")
    if conv is not None and ff and tf:
        # express both in the analyte's molar / mass reference units, then cross
        if ff[0] == "molar" and tf[0] == "mass_conc":
            to_molar, to_mass = conversion_steps(f, conv.molar_unit), conversion_steps(conv.mass_unit, t)
            if to_molar is None or to_mass is None:
                return None
            return (*to_molar, ("/", conv.factor), *to_mass)
        if ff[0] == "mass_conc" and tf[0] == "molar":
            to_mass, to_molar = conversion_steps(f, conv.mass_unit), conversion_steps(conv.molar_unit, t)
            if to_mass is None or to_molar is None:
                return None
            return (*to_mass, ("*", conv.factor), *to_molar)
    return None


# --- validation -----------------------------------------------------------------------------


def unit_problems(units: UnitsFile, times: TimeUnitsFile) -> list[str]:
    """Quality checks over both tables (schema problems already fail on load): a pattern listed
    for two codes, an example read as another code by an earlier written form (the forms are
    tried in order, units before time units), a time unit also listed in units.json."""
    problems: list[str] = []
    forms: list[tuple[str, str, int, tuple[str, ...]]] = [
        (w.pattern, w.code, w.flags, w.examples) for w in units.written
    ] + [(t.pattern, t.code, re.I, t.examples) for t in times.units]
    owner: dict[str, str] = {}
    for pattern, code, _, _ in forms:
        if owner.setdefault(pattern, code) != code:
            problems.append(
                f"written form {pattern!r} maps to both {owner[pattern]!r} and {code!r}"
            )
    for pattern, code, _, examples in forms:
        for ex in examples:
            read = next((c for p, c, fl, _ in forms if re.fullmatch(p, ex, fl)), None)
            if read != code:
                problems.append(
                    f"{ex!r} (an example of {pattern!r}) is read as {read!r}, not {code!r}"
                )
    codes = {u.code for u in units.units}
    for t in times.units:
        if t.code in codes:
            problems.append(f"time unit {t.code!r} is also in {UNITS_FILE}")
    problems.extend(f"{u.code}: read_as {u.read_as!r} is no unit" for u in units.units if u.read_as and u.read_as not in codes)
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m nlp.core.units [units.json [time_units.json]]``: validate and summarise."""
    args = argv if argv is not None else sys.argv[1:]
    try:
        units = load_units(args[0] if args else None)
        times = load_time_units(args[1] if len(args) > 1 else None)
    except TableError as exc:
        print(f"units: error: {exc}", file=sys.stderr)
        return 1
    problems = unit_problems(units, times)
    for p in problems:
        print(f"units: problem: {p}", file=sys.stderr)
    dims = sorted({u.dimension for u in units.units})
    days = ", ".join(f"{t.code}={t.days:g}d" for t in times.units)
    print(
        f"{len(units.units)} units in {len(dims)} dimensions, {len(units.written)} written forms, "
        f"{len(units.analytes)} analyte conversions, {len(units.aliases)} aliases; "
        f"{len(times.units)} time units ({days}); "
        f"{len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
