"""The knowledge tables of nlp/resources: units.json, time_units.json, comparators.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from nlp.core import comparators, units
from nlp.core.comparators import FLIP, canonical, comparator_problems, load_comparators
from nlp.core.lexicon import load_lexicon
from nlp.core.tables import TableError
from nlp.core.units import (
    convert,
    days_per,
    dimension,
    display,
    load_time_units,
    load_units,
    to_days,
    ucum,
    unit_problems,
)

RESOURCES = Path(str(resources.files("nlp.resources")))


# --- schema and regexes ----------------------------------------------------------------------


def test_knowledge_tables_units_schema() -> None:
    table = load_units()
    assert {"10*9/L", "mm[Hg]", "{score}", "mL/min/{1.73_m2}", "xULN"} <= {
        u.code for u in table.units
    }
    assert unit_problems(table, load_time_units()) == []


def test_knowledge_tables_time_units_schema() -> None:
    assert [t.code for t in load_time_units().units] == ["a", "mo", "wk", "d", "h", "min"]


def test_knowledge_tables_comparators_schema() -> None:
    table = load_comparators()
    assert {p.canonical for p in table.phrases} == {">", ">=", "<", "<=", "="}
    assert comparator_problems(table) == []


def test_knowledge_tables_every_regex_compiles() -> None:
    for w in load_units().written:
        re.compile(w.pattern, w.flags)
        re.compile(w.pattern, re.X | re.I)  # as embedded in the value grammar
    for t in load_time_units().units:
        re.compile(t.pattern, re.X | re.I)
    table = load_comparators()
    for p in (*table.phrases, *table.suffixes):
        re.compile(p.pattern, re.X | re.I)


def test_knowledge_tables_no_written_form_maps_to_two_codes() -> None:
    owner: dict[str, str] = {}
    for pattern, code in [(w.pattern, w.code) for w in load_units().written] + [
        (p, t.code) for t in load_time_units().units for p in t.written
    ]:
        assert owner.setdefault(pattern, code) == code, f"{pattern!r}: {owner[pattern]} and {code}"
    # and every example is read as its own code, not shadowed by an earlier form
    from nlp.pipeline.values import ucum_unit

    for w in load_units().written:
        for ex in w.examples:
            assert ucum_unit(ex) == w.code, (ex, w.pattern)
    for t in load_time_units().units:
        for ex in t.examples:
            assert ucum_unit(ex) == t.code, ex


def test_knowledge_tables_written_forms_keep_todays_order() -> None:
    """Longest first: "mL/min/1.73 m2" before "mL/min", "mg/dL" before "mg", "kg/m2" before "kg"."""
    order = [w.pattern for w in load_units().written]
    before = [
        (r"m[lL]\s*/\s*min(?:ute)?\s*/\s*1[.,]73\s*m(?:2|²|\^2)", r"m[lL]\s*/\s*min(?:ute)?"),
        (r"(?:mg|milligrams?)\s*/\s*d[lL]", r"mg\b"),
        (r"kg\s*(?:/\s*(?:m2|m²|m\^2|m\s*2)|[·∙*]?\s*m\s*(?:-|−|\^-?)\s*2(?![\w.]))", r"kgs?\b"),
        (r"mmol\s*/\s*mol", r"mmol\s*/\s*[lL]"),
        (r"ms(?:ecs?)?\b|millisec(?:onds?)?\b", r"(?:sec(?:onds?|s)?|s)\b(?!\s*[/])"),
        (r"m[lL]\s*/\s*min(?:ute)?", r"m[lL]\b"),
    ]
    for first, then in before:
        assert order.index(first) < order.index(then), (first, then)


def test_knowledge_tables_lexicon_units_exist() -> None:
    known = {u.code for u in load_units().units} | {t.code for t in load_time_units().units}
    used = {e.unit for e in load_lexicon() if e.unit}
    assert used and used <= known, sorted(used - known)


def test_knowledge_tables_aliases() -> None:
    assert units.ALIASES["mmHg"] == "mm[Hg]" and units.ALIASES["months"] == "mo"
    assert ucum("years") == "a" and ucum("IU/L") == "U/L" and ucum(None) is None
    # the ASCII spellings of the two temperature scales (an answer key's "degC", NCT04410731)
    assert ucum("degC") == "Cel" and ucum("degF") == "[degF]"


# --- conversions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "a", "b"),
    [
        (9, "g/dL", "g/L"),
        (1.5, "10*9/L", "/uL"),
        (2, "a", "mo"),
        (250, "ng/mL", "ug/L"),
        (120, "umol/L", "mmol/L"),
        (3, "wk", "h"),
        (450, "ms", "s"),
        (10, "mg", "g"),
    ],
)
def test_knowledge_tables_conversion_round_trip(value: float, a: str, b: str) -> None:
    there = convert(value, a, b)
    assert there is not None
    assert convert(there, b, a) == pytest.approx(value)


def test_knowledge_tables_conversion_values() -> None:
    assert convert(9, "g/dL", "g/L") == pytest.approx(90)
    assert convert(1.5, "10*9/L", "/uL") == pytest.approx(1500)
    assert convert(1, "a", "mo") == pytest.approx(12)
    assert convert(1, "mg/dL", "g/L") == pytest.approx(0.01)


def test_knowledge_tables_conversion_across_dimensions_needs_an_analyte() -> None:
    assert convert(1, "mg/dL", "umol/L") is None
    assert convert(1, "kg", "mm[Hg]") is None
    assert convert(1, "xULN", "U/L") is None


def test_knowledge_tables_creatinine_conversion() -> None:
    assert convert(1.0, "mg/dL", "umol/L", "creatinine") == pytest.approx(88.4)
    assert convert(176.8, "umol/L", "mg/dL", "creatinine") == pytest.approx(2.0)


def test_knowledge_tables_bilirubin_conversion() -> None:
    for analyte in ("bilirubin", "total_bilirubin", "direct_bilirubin"):
        assert convert(1.0, "mg/dL", "umol/L", analyte) == pytest.approx(17.1)
    assert convert(34.2, "umol/L", "mg/dL", "total_bilirubin") == pytest.approx(2.0)


def test_knowledge_tables_glucose_conversion() -> None:
    assert convert(180, "mg/dL", "mmol/L", "glucose") == pytest.approx(10.0)
    assert convert(7.0, "mmol/L", "mg/dL", "glucose") == pytest.approx(126.0)


def test_knowledge_tables_international_units_per_millilitre() -> None:
    # "FSH > 40 mIU/mL" is 40 IU/L (ctgov-msc NCT04097652: read as IU/mL, 1,000 times too large, it
    # fell outside FSH's plausible values); "TSH 0.45 µIU/mL" is 0.45 mIU/L (NCT04990128)
    assert convert(40, "m[IU]/mL", "[IU]/L") == pytest.approx(40.0)
    assert convert(0.45, "u[IU]/mL", "m[IU]/L") == pytest.approx(0.45)
    assert convert(1, "[iU]/mL", "[IU]/L") == pytest.approx(1000.0)


def test_knowledge_tables_a_visual_analogue_scale_is_a_100_mm_line() -> None:
    # "VAS > 40 mm", "[VAS] ≥ 2 cm" (19 such thresholds in ctgov-msc): points of the 0-100 scale
    assert convert(40, "mm", "{score}", "vas_pain") == pytest.approx(40.0)
    assert convert(2, "cm", "{score}", "vas_pain") == pytest.approx(20.0)
    assert convert(50, "{score}", "mm", "vas_pain") == pytest.approx(50.0)
    assert convert(40, "mm", "{score}", "nrs_pain") is None  # a numeric rating scale has no line
    assert convert(40, "mm", "{score}") is None


# --- time -------------------------------------------------------------------------------------


def test_knowledge_tables_one_time_rule() -> None:
    assert days_per("a") == 365.25
    assert days_per("mo") == 365.25 / 12 == 30.4375
    assert (days_per("wk"), days_per("d")) == (7, 1)
    assert days_per("h") == pytest.approx(1 / 24) and days_per("min") == pytest.approx(1 / 1440)
    assert days_per("mg") is None and days_per(None) is None


@pytest.mark.parametrize(
    ("value", "unit", "days"),
    [
        (3, "mo", 91),
        (1, "a", 365),
        (6, "mo", 183),
        (2, "wk", 14),
        (48, "h", 2),
        (12, "months", 365),
    ],
)
def test_knowledge_tables_to_days(value: float, unit: str, days: int) -> None:
    got = to_days(value, unit)
    assert got is not None and round(got) == days


def test_knowledge_tables_to_days_not_a_time() -> None:
    assert to_days(3, "mg/dL") is None and to_days(None, "mo") is None and to_days(1, "xyz") is None


def test_knowledge_tables_display_and_dimension() -> None:
    assert (
        display("10*9/L") == "×10⁹/L"
        and display("mm[Hg]") == "mmHg"
        and display("{score}") == "points"
    )
    assert display("mL/min/{1.73_m2}") == "mL/min/1.73 m²" and display("10*4/uL") == "×10⁴/µL"
    assert (
        display("mo") == "months"
        and display("unknown/unit") == "unknown/unit"
        and display(None) == ""
    )
    assert (
        dimension("umol/L") == "molar"
        and dimension("months") == "time"
        and dimension("xyz") is None
    )


# --- comparators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "want"),
    [
        (">=", ">="),
        ("≥", ">="),
        ("=>", ">="),
        ("at least", ">="),
        ("no less than", ">="),
        ("greater than or equal to", ">="),
        ("Greater  Than", ">"),
        ("in excess of", ">"),
        ("≤", "<="),
        ("no more than", "<="),
        ("not to exceed", "<="),
        ("up to", "<="),
        ("inferior to", "<"),
        ("below", "<"),
        ("equal to", "="),
        ("or more", ">="),
        ("and younger", "<="),
        ("+", ">="),
        ("longer than", ">"),
        ("hello", None),
        ("", None),
        (None, None),
    ],
)
def test_knowledge_tables_comparator_canonical(phrase: str | None, want: str | None) -> None:
    assert canonical(phrase) == want


def test_knowledge_tables_comparator_flip() -> None:
    assert FLIP == {
        ">": "<=",
        ">=": "<",
        "<": ">=",
        "<=": ">",
        "present": "absent",
        "absent": "present",
    }
    assert all(FLIP[FLIP[c]] == c for c in FLIP)


def test_knowledge_tables_comparator_grammars() -> None:
    value = {p.pattern for p in comparators.phrases("value")}
    # a comparator of durations, as a value ("life expectancy longer than 12 months") and a duration
    assert r"longer\s+th[ae]n" in value and r"shorter\s+th[ae]n" in value
    assert {p.pattern for p in comparators.phrases("temporal_duration")} >= {
        r"at\s+least",
        r"longer\s+th[ae]n",
    }


# --- bad files --------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: object) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_knowledge_tables_bad_units_file_names_the_file(tmp_path: Path) -> None:
    data = json.loads((RESOURCES / "units.json").read_text(encoding="utf-8"))
    data["written"][0]["pattern"] = "m[lL(/min"
    bad = _write(tmp_path, "bad_units.json", data)
    with pytest.raises(TableError, match=r"bad_units\.json: written\.0.*does not compile"):
        load_units(str(bad))


def test_knowledge_tables_bad_time_units_file_names_the_file(tmp_path: Path) -> None:
    data = json.loads((RESOURCES / "time_units.json").read_text(encoding="utf-8"))
    data["units"][1]["days"] = 30
    bad = _write(tmp_path, "bad_time.json", data)
    with pytest.raises(TableError, match=r"bad_time\.json: .*month must be a year/12"):
        load_time_units(str(bad))


def test_knowledge_tables_bad_comparators_file_names_the_file(tmp_path: Path) -> None:
    data = json.loads((RESOURCES / "comparators.json").read_text(encoding="utf-8"))
    data["phrases"][0]["canonical"] = "=>"
    bad = _write(tmp_path, "bad_cmp.json", data)
    with pytest.raises(TableError, match=r"bad_cmp\.json: phrases\.0\.canonical"):
        load_comparators(str(bad))


def test_knowledge_tables_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"missing\.json: cannot read"):
        load_units(str(tmp_path / "missing.json"))
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(TableError, match=r"broken\.json: "):
        load_comparators(str(bad))


def test_knowledge_tables_validate_command(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "nlp.core.units"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and "6 time units" in ok.stdout and "0 problems" in ok.stdout, (
        ok.stderr
    )
    ok = subprocess.run(
        [sys.executable, "-m", "nlp.core.comparators"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and "0 problems" in ok.stdout, ok.stderr
    data = json.loads((RESOURCES / "units.json").read_text(encoding="utf-8"))
    data["written"][0]["code"] = "no/such/unit"
    bad = _write(tmp_path, "bad_units.json", data)
    run = subprocess.run(
        [sys.executable, "-m", "nlp.core.units", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1 and "bad_units.json" in run.stderr and "no/such/unit" in run.stderr


def test_tables_a_capital_class_must_be_pinned_where_patterns_ignore_case() -> None:
    """Cues and comparators are read case-insensitively: "[A-Z]" is then any letter (sentence_cut
    cut "e.g. pacemaker", ellipsis_item read "Hepatitis B or a history" as hepatitis A)."""
    from nlp.core.tables import check_pattern

    with pytest.raises(ValueError, match="capital class"):
        check_pattern(r"\.(?=\s+[A-Z])")
    assert check_pattern(r"\.(?=\s+(?-i:[A-Z]))")
    assert check_pattern(r"[A-Z]", flags=0)  # a case-sensitive table (units) may


def test_knowledge_tables_a_unit_names_a_measurement_of_the_lexicon_in_that_unit() -> None:
    """units.json ``analyte``: the concept a value in the unit reads where none is named must be a
    measurement of the lexicon whose readings the unit can be ("{drinks}/wk" for alcohol consumption)."""
    from nlp.core.lexicon import Lexicon

    lx = Lexicon.load()
    named = {u.code: u.analyte for u in units.load_units().units if u.analyte}
    assert named, "no unit names its analyte"
    for code, analyte in named.items():
        entry = lx.get(analyte)
        assert entry is not None and entry.category == "measurement", (code, analyte)
        assert units.may_measure(code, entry.unit, analyte), (code, analyte)
        assert units.named_analyte(code) == analyte
    assert units.named_analyte("mg/dL") is None


def test_knowledge_tables_own_implied_units_are_implied_only_for_their_analytes() -> None:
    """units.json ``implied: "own"``: mmHg and cmH2O, each as plausible for the other's numbers."""
    assert units.implied_unit("mm[Hg]", [180.0], (0, 300), "systolic_blood_pressure", (100, 130)) == "mm[Hg]"
    assert units.implied_unit("cm[H2O]", [5.0], (0, 30), "peep", (5, 10)) == "cm[H2O]"
