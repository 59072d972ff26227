"""Unit conversion for comparable thresholds (UCUM codes as produced by the pipeline).

Conversions inside one dimension (g/L <-> g/dL <-> mg/dL; 10*9/L <-> /uL; years <-> months), and
per analyte across dimensions (creatinine umol/L <-> mg/dL x88.4, bilirubin x17.1, glucose
mmol/L <-> mg/dL x18.0). Anything else is not convertible (``None``), never guessed.
"""

from __future__ import annotations

# unit -> (dimension, factor to the dimension's base unit)
_FAMILY: dict[str, tuple[str, float]] = {
    "g/L": ("mass_conc", 1.0), "g/dL": ("mass_conc", 10.0), "mg/dL": ("mass_conc", 0.01),
    "mg/L": ("mass_conc", 0.001), "ug/L": ("mass_conc", 1e-6), "ug/dL": ("mass_conc", 1e-5),
    "ng/mL": ("mass_conc", 1e-6), "pg/mL": ("mass_conc", 1e-9),
    "mmol/L": ("molar", 1.0), "umol/L": ("molar", 0.001),
    "10*9/L": ("count", 1.0), "/uL": ("count", 0.001), "10*12/L": ("count", 1000.0),
    "10*6/L": ("count", 0.001), "10*3/uL": ("count", 1.0), "10*6/uL": ("count", 1000.0),
    "a": ("time", 365.25), "mo": ("time", 365.25 / 12), "wk": ("time", 7.0), "d": ("time", 1.0),
    "h": ("time", 1 / 24), "min": ("time", 1 / 1440),
    "U/L": ("enzyme", 1.0), "[iU]/L": ("enzyme", 1.0),
    "kg": ("mass", 1.0), "g": ("mass", 0.001),
    "mm[Hg]": ("pressure", 1.0), "%": ("percent", 1.0), "{score}": ("score", 1.0),
    "mL/min": ("flow", 1.0), "mL/min/{1.73_m2}": ("gfr", 1.0), "kg/m2": ("bmi", 1.0),
    "xULN": ("xuln", 1.0), "xLLN": ("xlln", 1.0), "/min": ("rate", 1.0), "s": ("seconds", 1.0),
    "ms": ("ms", 1.0), "mg/d": ("dose", 1.0), "{ratio}": ("ratio", 1.0),
}
# analyte -> (molar unit, mass unit, factor: molar value = mass value x factor)
_ANALYTE_MOLAR = {
    "creatinine": ("umol/L", "mg/dL", 88.4),
    "total_bilirubin": ("umol/L", "mg/dL", 17.1),
    "direct_bilirubin": ("umol/L", "mg/dL", 17.1),
    "bilirubin": ("umol/L", "mg/dL", 17.1),
    "glucose": ("mmol/L", "mg/dL", 1 / 18.0),
}
# spellings used by answer keys and users -> UCUM
ALIASES = {
    "year": "a", "years": "a", "yr": "a", "month": "mo", "months": "mo", "week": "wk",
    "weeks": "wk", "day": "d", "days": "d", "score": "{score}", "points": "{score}",
    "mmHg": "mm[Hg]", "ratio": "{ratio}", "IU/L": "U/L", "mL/min/1.73m2": "mL/min/{1.73_m2}",
    "kg/m^2": "kg/m2", "mg/day": "mg/d", "x ULN": "xULN", "xuln": "xULN",
}


def ucum(unit: str | None) -> str | None:
    if unit is None:
        return None
    return ALIASES.get(unit, unit)


def convert(value: float, from_unit: str | None, to_unit: str | None, analyte: str | None = None) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when not convertible."""
    f, t = ucum(from_unit), ucum(to_unit)
    if f == t:
        return value
    if f is None or t is None:
        return None
    ff, tf = _FAMILY.get(f), _FAMILY.get(t)
    if ff and tf and ff[0] == tf[0]:
        return value * ff[1] / tf[1]
    if analyte in _ANALYTE_MOLAR and ff and tf:
        molar_unit, mass_unit, factor = _ANALYTE_MOLAR[analyte]
        # express both in the analyte's molar / mass reference units, then cross
        if ff[0] == "molar" and tf[0] == "mass_conc":
            in_molar = convert(value, f, molar_unit)
            mass = in_molar / factor if in_molar is not None else None
            return convert(mass, mass_unit, t) if mass is not None else None
        if ff[0] == "mass_conc" and tf[0] == "molar":
            in_mass = convert(value, f, mass_unit)
            molar = in_mass * factor if in_mass is not None else None
            return convert(molar, molar_unit, t) if molar is not None else None
    return None
