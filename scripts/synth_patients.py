"""Synthetic patients from answer keys, made the way ``../shared/acceptance/dev/patients`` describes
its own (its README: "``<NCT>-base.json`` satisfies every key fact and holds data only for them;
``<NCT>-vNN.json`` breaks exactly one fact"), so that the matcher's worst error, turning an eligible
patient away, can be measured on the held-out sets too and not only on the 48 dev trials.

    python scripts/synth_patients.py annotations/heldout/set7 /tmp/set7-patients
    elig evaluate patients ../shared/data/ctgov-msc/<NCT>.json ... --patients /tmp/set7-patients

This is a re-creation, not the script that made the dev patients (it is not shipped): its
conventions were read off the dev patients (the shapes, the as-of date, the reference ranges, the
LOINC and SNOMED CT codes and the example condition or drug a violation adds for each key
concept). What it makes:

- a base patient per key: sex and a birth date inside the key's ages, each required target
  diagnosis as an active condition, and an observation for each analyte of the guideline's list
  that the key thresholds (a normal value where it satisfies every threshold, else a value inside
  them), a weight where the key has one. No therapy, procedure or other condition: "data only for
  the key facts";
- one violation per breakable fact: an age outside, an observation beyond a threshold, the example
  condition, drug or procedure of an excluded key concept (inside the fact's window), pregnancy,
  lactation, another trial. ``not_eligible`` where the criterion is qualified (cue words below),
  ``ineligible`` otherwise.

Facts under a ``condition_text`` are left out, and optional facts are broken by no violation, as
facts the key itself calls conditional or uncertain (a base patient meets optional thresholds too,
as the dev patients do).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

AS_OF = date(2026, 11, 1)
ONSET = "2026-07-04"  # a target diagnosis's onset in the dev patients
EVENT = AS_OF - timedelta(days=30)  # a violation's condition onset, when no window says otherwise
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

# analyte -> (normal value, unit, reference range or None, LOINC) as the dev patients carry them
NORMAL: dict[str, tuple[float, str, tuple[float, float] | None, str | None]] = {
    "ALT": (22, "U/L", (7, 40), "1742-6"),
    "AST": (24, "U/L", (8, 40), "1920-8"),
    "creatinine": (75, "umol/L", (45, 110), "2160-0"),
    "total bilirubin": (10, "umol/L", (3, 21), "1975-2"),
    "direct bilirubin": (3, "umol/L", (0, 7), "1968-7"),
    "eGFR": (95, "mL/min/1.73m2", (90, 130), "33914-3"),
    "creatinine clearance": (95, "mL/min", (80, 140), "2164-2"),
    "glucose": (5.2, "mmol/L", (3.9, 6.1), "2345-7"),
    "HbA1c": (5.4, "%", (4, 5.6), "4548-4"),
    "hemoglobin": (135, "g/L", (120, 160), "718-7"),
    "hematocrit": (41, "%", (36, 48), "4544-3"),
    "platelets": (240, "10*9/L", (150, 400), "777-3"),
    "WBC": (6.5, "10*9/L", (4.0, 10.0), "6690-2"),
    "ANC": (4.0, "10*9/L", (1.8, 7.5), "751-8"),
    "lymphocyte count": (2.0, "10*9/L", (1.0, 4.8), "731-0"),
    "albumin": (40, "g/L", (35, 50), "1751-7"),
    "INR": (1.0, "{ratio}", (0.8, 1.2), "6301-6"),
    "PT": (12, "s", (11, 13.5), "5902-2"),
    "APTT": (30, "s", (25, 35), "3173-2"),
    "fibrinogen": (3.0, "g/L", (2.0, 4.0), "3255-7"),
    "BUN": (5.0, "mmol/L", (2.5, 7.1), "3094-0"),
    "LVEF": (60, "%", None, "10230-1"),
    "systolic blood pressure": (125, "mm[Hg]", None, "8480-6"),
    "diastolic blood pressure": (78, "mm[Hg]", None, "8462-4"),
    "heart rate": (72, "/min", None, "8867-4"),
    "oxygen saturation": (97, "%", None, "59408-5"),
    "QTc": (420, "ms", None, None),
    "ECOG": (1, "{score}", None, "89262-0"),
    "Karnofsky": (90, "{score}", None, "89243-0"),
    "MMSE": (29, "{score}", None, "72106-8"),
    "NIHSS": (0, "{score}", None, "70182-1"),
    "mRS": (0, "{score}", None, "75859-9"),
    "EDSS": (2, "{score}", None, None),
}
_DAYS = {"year": 365.25, "month": 30.4375, "week": 7.0, "day": 1.0, "hour": 1 / 24}
_UNIT = {"mmHg": "mm[Hg]", "score": "{score}", "bpm": "/min", "beats/min": "/min"}

# key concept -> what a violation adds (the dev patients' examples)
EXAMPLE: dict[str, tuple[str, dict[str, Any]]] = {
    "active_infection": ("conditions", {"name": "Bacterial pneumonia", "code": {"system": SNOMED, "code": "53084003"}}),
    "allergy": ("conditions", {"name": "Anaphylaxis", "code": {"system": SNOMED, "code": "39579001"}}),
    "autoimmune_disease": ("conditions", {"name": "Systemic lupus erythematosus", "code": {"system": SNOMED, "code": "55464009"}}),
    "cardiac_dysfunction": ("conditions", {"name": "Heart failure", "code": {"system": SNOMED, "code": "84114007"}}),
    "coagulopathy": ("conditions", {"name": "Blood coagulation disorder", "code": {"system": SNOMED, "code": "64779008"}}),
    "dementia": ("conditions", {"name": "Dementia", "code": {"system": SNOMED, "code": "52448006"}}),
    "epilepsy": ("conditions", {"name": "Epilepsy", "code": {"system": SNOMED, "code": "84757009"}}),
    "hepatic_dysfunction": ("conditions", {"name": "Cirrhosis of liver", "code": {"system": SNOMED, "code": "19943007"}}),
    "hepatitis_b": ("conditions", {"name": "Viral hepatitis type B", "code": {"system": SNOMED, "code": "66071002"}}),
    "hepatitis_c": ("conditions", {"name": "Viral hepatitis type C", "code": {"system": SNOMED, "code": "50711007"}}),
    "hiv": ("conditions", {"name": "Human immunodeficiency virus infection", "code": {"system": SNOMED, "code": "86406008"}}),
    "malignancy": ("conditions", {"name": "Malignant tumor of lung", "code": {"system": SNOMED, "code": "363358000"}}),
    "psychiatric_disorder": ("conditions", {"name": "Schizophrenia", "code": {"system": SNOMED, "code": "58214004"}}),
    "pulmonary_disease": ("conditions", {"name": "Interstitial lung disease", "code": {"system": SNOMED, "code": "233703007"}}),
    "renal_dysfunction": ("conditions", {"name": "End-stage renal disease", "code": {"system": SNOMED, "code": "46177005"}}),
    "substance_abuse": ("conditions", {"name": "Alcoholism", "code": {"system": SNOMED, "code": "7200002"}}),
    "syphilis": ("conditions", {"name": "Syphilis", "code": {"system": SNOMED, "code": "76272004"}}),
    "tuberculosis": ("conditions", {"name": "Tuberculosis", "code": {"system": SNOMED, "code": "56717001"}}),
    "anticoagulant": ("therapies", {"name": "warfarin", "code": {"system": RXNORM, "code": "11289"}}),
    "chemotherapy": ("therapies", {"name": "chemotherapy"}),
    "immunosuppressant": ("therapies", {"name": "prednisone", "code": {"system": RXNORM, "code": "8640"}}),
    "stem_cell_therapy": ("therapies", {"name": "mesenchymal stem cell therapy"}),
    "surgery": ("procedures", {"name": "total hip replacement", "code": {"system": SNOMED, "code": "52734007"}}),
    "transfusion": ("procedures", {"name": "blood transfusion", "code": {"system": SNOMED, "code": "116859006"}}),
}
# a transplant is an operation of its own; an operation named otherwise has no example here
TRANSPLANT = {"name": "kidney transplantation", "code": {"system": SNOMED, "code": "70536003"}}
_TRANSPLANT = re.compile(r"\btransplant", re.I)
_SURGERY = re.compile(r"\b(?:surgery|surgical|operation|operated)\b", re.I)
# a criterion a coordinator would send for review rather than refuse outright
QUALIFIED = re.compile(r"\b(?:uncontrolled|clinically (?:significant|relevant)|significant|severe|serious|"
                       r"unstable|poorly controlled|active|decompensated|investigator)\b", re.I)


def _unit(f: dict[str, Any]) -> str | None:
    """A fact's unit as a patient record writes it ("mmHg" -> "mm[Hg]")."""
    u = f.get("unit")
    return _UNIT.get(str(u), str(u)) if u else None


def _holds(value: float, cmp_: str, limit: float) -> bool:
    return {">": value > limit, ">=": value >= limit, "<": value < limit, "<=": value <= limit,
            "=": abs(value - limit) < 1e-9}[cmp_]


def _allowed(f: dict[str, Any], value: float) -> bool:
    """Whether ``value`` satisfies fact ``f`` (an inclusion's threshold holds, an exclusion's not)."""
    held = _holds(value, f["comparator"], float(f["value"]))
    return held != (f["effect"] == "exclude") if not f.get("negated") else held == (f["effect"] == "exclude")


def _inside(facts: list[dict[str, Any]], default: float) -> float | None:
    """A value every fact allows: ``default`` if it does, else the middle of the allowed interval or
    a fifth beyond its one bound."""
    if all(_allowed(f, default) for f in facts):
        return default
    # (values rounded to two decimals throughout, as a record would hold them)
    candidates = sorted({float(f["value"]) for f in facts})
    probes = [round(c * k, 2) for c in candidates for k in (1.2, 0.8, 1.05, 0.95, 1.0)]
    probes += [round((a + b) / 2, 2) for a, b in itertools.pairwise(candidates)]
    ok = [p for p in probes if all(_allowed(f, p) for f in facts)]
    if not ok:
        return None
    lo, hi = min(ok), max(ok)
    mid = round((lo + hi) / 2, 2)
    return mid if all(_allowed(f, mid) for f in facts) else round(ok[0], 2)



def _observation(name: str, value: float, unit: str, xuln: bool) -> dict[str, Any]:
    normal = NORMAL[name]
    o: dict[str, Any] = {"name": name, "value": value, "unit": unit, "date": str(AS_OF - timedelta(days=5))}
    if normal[3]:
        o["code"] = {"system": LOINC, "code": normal[3]}
    if xuln or (normal[2] and unit == normal[1]):
        o["reference_range"] = {"low": normal[2][0], "high": normal[2][1]} if normal[2] else None
        if o["reference_range"] is None:
            del o["reference_range"]
    return o


def _measure(name: str, facts: list[dict[str, Any]]) -> tuple[float, str, bool] | None:
    """The base patient's value of analyte ``name`` (value, unit, in multiples of the ULN?)."""
    normal = NORMAL[name]
    units = {f.get("unit") for f in facts}
    if units <= {"xULN", "xLLN"} and not (units == {"xULN"} and normal[2]):
        return normal[0], normal[1], False  # a multiple of a limit the record gives no range for: its normal value
    if units <= {"xULN"} and normal[2]:
        mult = _inside(facts, normal[0] / normal[2][1])
        return None if mult is None else (round(mult * normal[2][1], 2), normal[1], True)
    plain = [f for f in facts if f.get("unit") != "xULN" and f.get("unit") != "xLLN"]
    if not plain:
        return None
    # thresholds in two units ("> 2.0 mg/dL", optional "> 176.8 umol/L"): the first required one's
    first = next((f for f in plain if not f.get("optional")), plain[0])
    unit = _unit(first) or normal[1]
    plain = [f for f in plain if (_unit(f) or normal[1]) == unit]
    default = normal[0] if unit == normal[1] else None
    v = _inside(plain, default if default is not None else float(plain[0]["value"]) * 1.2)
    if v is None:
        return None
    rest = [f for f in facts if f not in plain]
    if rest and normal[2] and unit == normal[1] and not all(_allowed(f, v / normal[2][1]) for f in rest if f["unit"] == "xULN"):
        return None
    return v, unit, False


def _usable(f: dict[str, Any]) -> bool:
    return not f.get("optional") and not f.get("condition_text")


def _age_span(facts: list[dict[str, Any]], structured: dict[str, Any]) -> tuple[float, float]:
    lo, hi = 0.0, 100.0
    for f in facts:
        if f["kind"] != "age" or not _usable(f) or f.get("unit", "year") not in ("year", "a"):
            continue
        v, c = float(f["value"]), f["comparator"]
        include = f["effect"] == "include"
        strict = (c in (">", "<")) == include  # the bound itself is left out ("over 18", exclusion "18 or under")
        if (c in (">", ">=")) == include:  # a lower bound ("aged 18 or older", exclusion "under 18")
            lo = max(lo, v + 1 if strict else v)
        else:  # an upper bound, in whole years of age
            hi = min(hi, v - 0.1 if strict else v + 0.9)
    for k, bound in (("min_age", "lo"), ("max_age", "hi")):
        m = re.match(r"(\d+) Years?", str(structured.get(k) or ""))
        if m:
            if bound == "lo":
                lo = max(lo, float(m.group(1)))
            else:
                hi = min(hi, float(m.group(1)) + 0.9)
    return lo, hi


def _birth(age: float) -> str:
    years = int(age)
    return str(date(AS_OF.year - years, 3, 15) if date(AS_OF.year - years, 3, 15) <= AS_OF else date(AS_OF.year - years - 1, 3, 15))


def make(key: dict[str, Any], record: dict[str, Any]) -> list[tuple[dict[str, Any], str, dict[str, Any] | None]]:
    """(patient, expectation, broken fact) for the base patient and each violation."""
    nct = key["trial_id"]
    facts = [f for f in key["facts"] if _usable(f)]
    structured = key.get("structured") or {}
    lo, hi = _age_span(key["facts"], structured)
    age = 41.0 if lo + 2 <= 41 <= hi - 2 else (lo + hi) / 2
    sexes = {str(f.get("value")).lower() for f in facts if f["kind"] == "sex"}
    sex = "male" if "male" in sexes or str(structured.get("sex", "")).upper() == "MALE" else "female"
    targets = [f for f in facts if f["kind"] == "condition" and f.get("concept") == "target_diagnosis"
               and f["effect"] == "include" and not f.get("negated") and f.get("name")]
    if not targets:
        names = (record.get("protocolSection", {}).get("conditionsModule", {}) or {}).get("conditions") or []
        targets = [{"name": n} for n in names[:1]]
    onset = ONSET
    durations = [{**f, "value": float(f["value"]) * _DAYS[f["unit"]]} for f in facts
                 if f["kind"] == "measurement" and f.get("analyte") == "disease duration" and f.get("unit") in _DAYS]
    if durations:
        days = _inside(durations, (AS_OF - date.fromisoformat(ONSET)).days)
        if days is not None:
            onset = str(AS_OF - timedelta(days=round(days)))
    base: dict[str, Any] = {
        "id": f"{nct}-base", "as_of": str(AS_OF), "sex": sex,
        "conditions": [{"name": t["name"], "onset": onset, "status": "active"} for t in targets],
        "observations": [], "therapies": [], "procedures": [], "pregnant": False, "lactating": False,
        "trial_participation": [], "consent": True, "birth_date": _birth(age),
    }
    for f in facts:  # a trial of pregnant or nursing women
        if f["kind"] == "condition" and f.get("concept") in ("pregnancy", "lactation") \
                and f["effect"] == "include" and not f.get("negated"):
            base["pregnant" if f["concept"] == "pregnancy" else "lactating"] = True
    by_analyte: dict[str, list[dict[str, Any]]] = {}
    for f in key["facts"]:  # optional thresholds too: the base patient meets them, as the dev patients do
        if f.get("condition_text"):
            continue
        if f["kind"] == "measurement" and f.get("analyte") in NORMAL and f.get("comparator") in (">", ">=", "<", "<=", "="):
            by_analyte.setdefault(f["analyte"], []).append(f)
    measured: dict[str, tuple[float, str, bool]] = {}
    for name, fs in by_analyte.items():
        got = _measure(name, fs)
        if got is not None:
            measured[name] = got
            base["observations"].append(_observation(name, got[0], got[1], got[2]))
    weights = [f for f in facts if f["kind"] == "weight" and f.get("unit", "kg") == "kg"]
    if weights:
        w = _inside(weights, 75.0)
        if w is not None:
            base["weight"] = {"value": w, "unit": "kg"}
    out: list[tuple[dict[str, Any], str, dict[str, Any] | None]] = [(base, "not_ineligible", None)]

    def variant(f: dict[str, Any], change: dict[str, Any]) -> None:
        p = json.loads(json.dumps(base))
        p["id"] = f"{nct}-v{len(out):02d}"
        for k, v in change.items():  # a condition, drug, procedure or trial is added; a value replaced
            p[k] = p[k] + v if isinstance(v, list) and k != "observations" else v
        out.append((p, "not_eligible" if QUALIFIED.search(f["quote"]) else "ineligible", f))

    for f in facts:
        must_absent = (f["effect"] == "exclude") != bool(f.get("negated"))
        when = EVENT
        if f.get("window_days"):
            when = AS_OF - timedelta(days=max(1, int(f["window_days"]) // 2))
        if f["kind"] == "age" and f.get("unit", "year") in ("year", "a"):
            v, c = float(f["value"]), f["comparator"]
            bad = next((a for a in (v - 2, v + 2, v, v - 0.5) if a > 0 and _holds(a, c, v) == (f["effect"] == "exclude")), None)
            if bad is not None:
                variant(f, {"birth_date": _birth(bad)})
        elif f["kind"] == "measurement" and f.get("analyte") in measured:
            _, unit, xuln = measured[f["analyte"]]
            normal = NORMAL[f["analyte"]]
            limit = float(f["value"]) * (normal[2][1] if f.get("unit") == "xULN" and normal[2] else 1)
            if (f.get("unit") == "xULN") != xuln and f.get("unit") not in (unit, _UNIT.get(unit)):
                continue
            for k in (1.2, 0.8, 1.5, 0.5):
                bad = round(limit * k, 2)
                if _holds(bad, f["comparator"], limit) == (f["effect"] == "exclude"):
                    break
            else:
                continue
            p_obs = [o if o["name"] != f["analyte"] else {**o, "value": bad} for o in base["observations"]]
            variant(f, {"observations": p_obs})
        elif f["kind"] == "condition" and must_absent and f.get("concept") in ("pregnancy", "lactation"):
            variant(f, {"pregnant" if f["concept"] == "pregnancy" else "lactating": True, "sex": "female"})
        elif f["kind"] in ("condition", "therapy") and must_absent and f.get("concept") in EXAMPLE:
            field_, item = EXAMPLE[f["concept"]]
            if f["kind"] == "condition":
                variant(f, {field_: [{**item, "onset": str(when), "status": "active"}]})
            elif field_ == "procedures":
                if f["concept"] == "surgery" and _TRANSPLANT.search(f["quote"]):
                    item = TRANSPLANT
                elif f["concept"] == "surgery" and not _SURGERY.search(f["quote"]):
                    continue  # a named operation ("Arthroscopy", "Core Decompression"): no example is one
                variant(f, {field_: [{**item, "date": str(when)}]})
            else:  # a drug started inside the window and still taken: current, recent and past use alike
                variant(f, {field_: [{**item, "start": str(when)}]})
        elif f["kind"] == "trial_participation" and must_absent:
            variant(f, {"trial_participation": [{"end": str(when)}]})
    return out


def main(keys_dir: str, out_dir: str, data_dir: str = "../shared/data/ctgov-msc") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    expected = []
    for kf in sorted(Path(keys_dir).glob("*.facts.json")):
        key = json.loads(kf.read_text(encoding="utf-8"))
        rec_path = Path(data_dir) / f"{key['trial_id']}.json"
        record = json.loads(rec_path.read_text(encoding="utf-8")) if rec_path.exists() else {}
        for patient, expect, fact in make(key, record):
            name = f"{patient['id']}.json"
            (out / name).write_text(json.dumps(patient, indent=1) + "\n", encoding="utf-8")
            expected.append({"patient": name, "trial": key["trial_id"], "expect": expect, "fact": fact})
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    print(f"{sum(e['expect'] == 'not_ineligible' for e in expected)} base patients, "
          f"{sum(e['expect'] != 'not_ineligible' for e in expected)} violations -> {out}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print("usage: synth_patients.py KEYS_DIR OUT_DIR [DATA_DIR]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
