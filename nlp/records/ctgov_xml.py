"""Legacy ClinicalTrials.gov XML (``<clinical_study>``), as in AACT / TREC-era downloads."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from nlp.errors import InputError
from nlp.records.ages import parse_age
from nlp.records.model import Intervention, Sex, TrialRecord

_SEX: dict[str, Sex] = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}
_HV = {"yes": True, "accepts healthy volunteers": True, "no": False}


def _text(el: Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _study_to_record(study: Element, source: str) -> TrialRecord:
    nct = _text(study, "id_info/nct_id")
    where = f"{source} ({nct})" if nct and nct not in source else source
    elig = study.find("eligibility")
    crit = elig.find("criteria/textblock") if elig is not None else None
    text = crit.text if crit is not None else None
    if not text or not text.strip():
        raise InputError(where, "record has no eligibility text (eligibility/criteria/textblock)")
    try:
        min_age = parse_age(_text(elig, "minimum_age"))
        max_age = parse_age(_text(elig, "maximum_age"))
    except ValueError as exc:
        raise InputError(where, str(exc)) from None
    gender = (_text(elig, "gender") or "").lower()
    hv = (_text(elig, "healthy_volunteers") or "").lower()
    interventions = tuple(
        Intervention(name=name, type=_text(iv, "intervention_type"))
        for iv in study.findall("intervention")
        if (name := _text(iv, "intervention_name"))
    )
    return TrialRecord(
        source=source,
        format="ctgov-xml",
        nct_id=nct,
        brief_title=_text(study, "brief_title"),
        official_title=_text(study, "official_title"),
        conditions=tuple(c.text.strip() for c in study.findall("condition") if c.text and c.text.strip()),
        interventions=interventions,
        eligibility_text=text,
        sex=_SEX.get(gender),
        minimum_age=min_age,
        maximum_age=max_age,
        healthy_volunteers=_HV.get(hv),
    )


def read_ctgov_xml(text: str, source: str) -> Iterator[TrialRecord | InputError]:
    try:
        root = fromstring(text.encode("utf-8"))
    except ParseError as exc:
        yield InputError(source, f"malformed XML: {exc}")
        return
    except DefusedXmlException as exc:
        yield InputError(source, f"refused unsafe XML ({type(exc).__name__})")
        return
    if root.tag == "clinical_study":
        studies = [root]
    else:
        studies = root.findall(".//clinical_study")
        if not studies:
            yield InputError(source, f"XML is not a ClinicalTrials.gov record (root <{root.tag}>, no <clinical_study>)")
            return
    for i, study in enumerate(studies):
        label = source if len(studies) == 1 else f"{source}[{i}]"
        try:
            yield _study_to_record(study, label)
        except InputError as exc:
            yield exc
