"""nlp.reports: constraint matrix, marks, findings, similarity, renderers, corpus statistics."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from report_fixtures import XSS_CRITERIA, XSS_IMG, XSS_SCRIPT, parse

from nlp.pipeline import load_pipeline
from nlp.reports import build_comparison, render_comparison
from nlp.reports.corpus import CorpusStats, render_corpus
from nlp.reports.findings import (
    duplicates,
    include_exclude,
    normalise_text,
    title_conflicts,
    trial_findings,
)
from nlp.reports.matrix import fmt_num, relate

A = "Inclusion Criteria:\n\n* Age 18 to 65 years\n\nExclusion Criteria:\n\n* ALT > 2.5 x ULN\n* Pregnancy\n"
B = "Inclusion Criteria:\n\n* Age 18 to 80 years\n\nExclusion Criteria:\n\n* ALT > 3 x ULN\n* Pregnancy\n* Active infection\n"
C = ("Inclusion Criteria:\n\n* Age 18 to 80 years\n\nExclusion Criteria:\n\n* ALT > 2 x ULN\n* Pregnancy\n"
     "* Creatinine > 1.5 mg/dL\n")


@pytest.fixture(scope="module")
def comp(nlp):  # type: ignore[no-untyped-def]
    docs = [parse(nlp, "NCT00000001", A, max_age="65 Years"), parse(nlp, "NCT00000002", B, max_age="80 Years"),
            parse(nlp, "NCT00000003", C, max_age="80 Years")]
    return build_comparison(docs)


def _row(comp, key):  # type: ignore[no-untyped-def]
    [row] = [r for r in comp.rows if r.key == key]
    return row


def test_matrix_exclusion_threshold_becomes_upper_bound_row(comp) -> None:  # type: ignore[no-untyped-def]
    row = _row(comp, "measurement:alt:max")
    assert set(row.cells) == {"NCT00000001", "NCT00000002", "NCT00000003"}
    assert row.cells["NCT00000001"].text() == "≤ 2.5 × ULN"


def test_matrix_marks_stricter_looser_mixed(comp) -> None:  # type: ignore[no-untyped-def]
    row = _row(comp, "measurement:alt:max")
    a, b, c = (row.cells[f"NCT0000000{i}"] for i in (1, 2, 3))
    assert b.mark == "looser" and c.mark == "stricter" and a.mark == "mixed"
    assert a.relations == {"NCT00000002": "stricter", "NCT00000003": "looser"}


def test_matrix_marks_equal_and_unique(comp) -> None:  # type: ignore[no-untyped-def]
    preg = _row(comp, "condition:pregnancy")
    assert {c.mark for c in preg.cells.values()} == {"equal"}
    infection = _row(comp, "condition:active_infection")
    assert infection.unique and infection.cells["NCT00000002"].mark == "unique"


def test_matrix_age_rows_compare_ranges(comp) -> None:  # type: ignore[no-untyped-def]
    row = _row(comp, "age:age:max")
    assert row.cells["NCT00000001"].mark == "stricter"
    assert row.cells["NCT00000002"].relations["NCT00000003"] == "equal"


def test_matrix_cell_keeps_evidence_quote(comp) -> None:  # type: ignore[no-untyped-def]
    cell = _row(comp, "measurement:alt:max").cells["NCT00000002"]
    assert cell.criteria == ["E1"]
    assert cell.evidence()[0][0] == "E1" and "ALT" in cell.evidence()[0][1]


def _facet(c):  # type: ignore[no-untyped-def]
    from nlp.core.normal import facets

    [f] = facets(c)
    return f


def test_relate_sex_values() -> None:
    from nlp.core.constraints import Provenance, SexConstraint

    def sex(i: str, value: str):  # type: ignore[no-untyped-def]
        return _facet(SexConstraint(id=i, criterion=None, effect="include", sex=value, provenance=Provenance(rule="test")))

    f, m, a = sex("s1", "female"), sex("s2", "male"), sex("s3", "all")
    assert relate(f, a) == "stricter" and relate(a, f) == "looser"
    assert relate(f, m) == "disjoint" and relate(a, a) == "equal"


def test_relate_scale_with_and_without_score_unit() -> None:
    from nlp.core.constraints import Concept, ConceptSet, MeasurementConstraint, NumericRange, Provenance

    def m(i: str, value: float, unit: str | None):  # type: ignore[no-untyped-def]
        return _facet(MeasurementConstraint(id=i, criterion="I1", effect="include", range=NumericRange.of(">=", value, unit),
                                            concepts=ConceptSet(concept=Concept(id="nihss", name="NIHSS")),
                                            provenance=Provenance(rule="test")))

    x, y = m("m1", 5.0, None), m("m2", 6.0, "{score}")
    assert relate(x, y) == "looser"


def test_matrix_converts_units_when_comparing(nlp) -> None:  # type: ignore[no-untyped-def]
    d1 = parse(nlp, "NCT00000011", "Exclusion Criteria:\n\n* Creatinine > 1.5 mg/dL\n")
    d2 = parse(nlp, "NCT00000012", "Exclusion Criteria:\n\n* Creatinine > 150 umol/L\n")
    comp = build_comparison([d1, d2])
    row = _row(comp, "measurement:creatinine:max")
    # 1.5 mg/dL = 132.6 umol/L: the first admits fewer patients
    assert row.cells["NCT00000011"].relations["NCT00000012"] == "stricter"


def test_fmt_num_is_stable() -> None:
    assert fmt_num(18.0) == "18" and fmt_num(2.5) == "2.5" and fmt_num(1 / 3) == "0.333333"


# -- findings -----------------------------------------------------------------------------------
def test_findings_title_conflict_is_general(nlp) -> None:  # type: ignore[no-untyped-def]
    crit = "Inclusion Criteria:\n\n* Non-severe aplastic anemia\n\nExclusion Criteria:\n\n* Severe aplastic anemia\n"
    doc = parse(nlp, "NCT00000021", crit, title="MSC for severe aplastic anemia")
    fs = title_conflicts("t", doc)
    assert len(fs) == 2 and {f.criteria for f in fs} == {("E1",), ("I1",)}
    assert all(f.kind == "title_conflict" for f in fs)
    # the same criteria under a title naming the non-severe form conflict with nothing
    ok = parse(nlp, "NCT00000022", crit, title="MSC for non-severe aplastic anemia")
    assert title_conflicts("t", ok) == []


def test_findings_title_conflict_from_condition_list(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000023", "Exclusion Criteria:\n\n* Multiple sclerosis\n", title="A study",
                conditions=("Multiple Sclerosis",))
    [f] = title_conflicts("t", doc)
    assert "conditions" in f.message and f.criteria == ("E1",)


def test_findings_title_conflict_reads_the_parsed_topics(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000024", "Exclusion Criteria:\n\n* Multiple sclerosis\n", conditions=("Multiple Sclerosis",))
    assert [t.concept_id for t in doc.topics] == ["multiple_sclerosis"]
    # the reports never tag text again: without the topics stage 4 stored, there is no conflict
    assert title_conflicts("t", doc.model_copy(update={"topics": ()})) == []


def test_findings_include_exclude_contradiction(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000025", "Inclusion Criteria:\n\n* Diabetes mellitus\n\nExclusion Criteria:\n\n* Diabetes mellitus\n")
    [f] = include_exclude("t", doc)
    assert f.kind == "contradiction" and f.severity == "warning" and f.criteria == ("I1", "E1")


def test_findings_exclusion_of_broader_concept(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000026", "Inclusion Criteria:\n\n* Ischemic stroke\n\nExclusion Criteria:\n\n* Stroke\n")
    [f] = include_exclude("t", doc)
    assert f.kind == "contradiction" and "covers it" in f.message


def test_findings_windowed_exclusion_is_only_info(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000027", "Inclusion Criteria:\n\n* Ischemic stroke\n\n"
                "Exclusion Criteria:\n\n* Ischemic stroke within 1 month\n")
    fs = include_exclude("t", doc)
    assert fs and all(f.severity == "info" for f in fs)


def test_findings_numeric_redundancy(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000028", "Inclusion Criteria:\n\n* ALT <= 2.5 x ULN\n\nExclusion Criteria:\n\n* ALT > 3 x ULN\n")
    [f] = include_exclude("t", doc)
    assert f.kind == "redundant" and "stricter" in f.message


def test_findings_no_contradiction_for_consistent_trial(nlp) -> None:  # type: ignore[no-untyped-def]
    assert include_exclude("t", parse(nlp, "NCT00000029", A)) == []


def test_findings_duplicates_exact_and_near(nlp) -> None:  # type: ignore[no-untyped-def]
    crit = ("Exclusion Criteria:\n\n* Pregnant or breastfeeding women\n* Known allergy to the study drug\n"
            "* PREGNANT or breastfeeding  women.\n* Known allergy to the study drugs\n")
    fs = duplicates("t", parse(nlp, "NCT00000030", crit))
    kinds = {(f.criteria, f.severity) for f in fs}
    assert (("E1", "E3"), "warning") in kinds  # same after normalisation
    assert (("E2", "E4"), "info") in kinds  # nearly the same


def test_findings_alike_text_different_concepts_not_duplicate(nlp) -> None:  # type: ignore[no-untyped-def]
    crit = "Inclusion Criteria:\n\n* Non-severe aplastic anemia patients\n\nExclusion Criteria:\n\n* Severe aplastic anemia patients\n"
    assert duplicates("t", parse(nlp, "NCT00000031", crit)) == []


def test_findings_age_mismatch(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000032", "Inclusion Criteria:\n\n* Aged 16-65 years\n", min_age="18 Years", max_age="60 Years")
    fs = [f for f in trial_findings("t", doc) if f.kind == "age_mismatch"]
    assert len(fs) == 2 and all(f.criteria == ("I1",) for f in fs)


def test_normalise_text() -> None:
    assert normalise_text("Pregnant   or breast-feeding; women.") == "pregnant or breast feeding women"


# -- similarity -----------------------------------------------------------------------------------
def test_similarity_identical_trials_cluster_together(nlp) -> None:  # type: ignore[no-untyped-def]
    other = "Inclusion Criteria:\n\n* Autism spectrum disorder\n* Body weight >= 17 kg\n\nExclusion Criteria:\n\n* Epilepsy\n"
    docs = [parse(nlp, "NCT00000041", A), parse(nlp, "NCT00000042", A), parse(nlp, "NCT00000043", other)]
    sim = build_comparison(docs).similarity
    assert sim is not None
    assert sim.combined[0, 1] == pytest.approx(1.0) and sim.combined[0, 2] < 0.5
    assert sim.clusters[0] == sim.clusters[1] != sim.clusters[2]


def test_similarity_needs_two_trials(nlp) -> None:  # type: ignore[no-untyped-def]
    assert build_comparison([parse(nlp, "NCT00000044", A)]).similarity is None


# -- renderers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".md", ".csv", ".json", ".html"])
def test_render_is_deterministic(comp, suffix: str) -> None:  # type: ignore[no-untyped-def]
    assert render_comparison(comp, suffix) == render_comparison(comp, suffix)


def test_render_unknown_suffix(comp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown report format"):
        render_comparison(comp, ".pdf")


def test_render_csv_one_line_per_cell(comp) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(render_comparison(comp, ".csv"))))
    alt = [r for r in rows if r["row"] == "measurement:alt:max"]
    assert [r["trial"] for r in alt] == ["NCT00000001", "NCT00000002", "NCT00000003"]
    assert alt[1]["mark"] == "looser" and "E1" in alt[1]["evidence"]


def test_render_json_round_trips(comp) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render_comparison(comp, ".json"))
    assert data["report"] == "elig compare" and len(data["trials"]) == 3
    row = next(r for r in data["rows"] if r["key"] == "measurement:alt:max")
    assert row["cells"]["NCT00000003"]["mark"] == "stricter"
    assert data["similarity"]["labels"] == ["NCT00000001", "NCT00000002", "NCT00000003"]


def test_render_markdown_has_matrix_and_findings(comp) -> None:  # type: ignore[no-untyped-def]
    md = render_comparison(comp, ".md")
    assert "## Constraint matrix" in md and "## Consistency findings" in md
    assert re.search(r"\| measurement: ALT \(maximum\) \| ≤ 2\.5 × ULN \(mixed; E1\) \|", md)


def test_render_html_self_contained_with_plots(comp) -> None:  # type: ignore[no-untyped-def]
    html = render_comparison(comp, ".html")
    assert html.count("<svg") >= 4 and 'id="constraint-matrix"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing to fetch
    assert "<script" not in html.lower()
    assert html.count("<details") >= 3  # evidence and criteria are collapsible


def test_render_escapes_record_text(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000051", XSS_CRITERIA, title=f"Title {XSS_IMG}", conditions=(XSS_SCRIPT,))
    comp = build_comparison([doc, parse(nlp, "NCT00000052", A)])
    html = render_comparison(comp, ".html")
    assert XSS_SCRIPT not in html and XSS_IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    md = render_comparison(comp, ".md")
    assert "<script>" not in md and "<img" not in md


def test_plots_svg_deterministic_and_inline(comp) -> None:  # type: ignore[no-untyped-def]
    from nlp.reports import plots

    a = plots.thresholds(comp.rows, comp.labels)
    assert a is not None and a.startswith("<svg") and a == plots.thresholds(comp.rows, comp.labels)
    assert "<script" not in a


# -- corpus -----------------------------------------------------------------------------------------
def test_corpus_stats_counts_and_thresholds(nlp) -> None:  # type: ignore[no-untyped-def]
    s = CorpusStats()
    for i, crit in enumerate([A, B, C, A, B]):
        s.add(parse(nlp, f"NCT0000010{i}", crit))
    d = s.as_dict()
    assert d["trials"] == 5 and dict(d["kind_trials"])["measurement"] == 5
    [alt] = [t for t in s.threshold_table(min_trials=5) if t["key"] == "alt:max"]
    assert alt["unit"] == "xULN" and alt["values"] == [2.0, 2.5, 2.5, 3.0, 3.0]
    assert alt["common"][0] in ((2.5, 2), (3.0, 2))
    assert s.min_age_structured == [18.0] * 5


def test_corpus_threshold_units_converted(nlp) -> None:  # type: ignore[no-untyped-def]
    s = CorpusStats()
    for i, crit in enumerate(["* Creatinine > 1.5 mg/dL", "* Creatinine > 1.5 mg/dL", "* Creatinine > 132.6 umol/L"]):
        s.add(parse(nlp, f"NCT0000020{i}", "Exclusion Criteria:\n\n" + crit + "\n"))
    [cr] = s.threshold_table(min_trials=3)
    assert cr["unit"] == "mg/dL" and cr["values"] == [1.5, 1.5, 1.5] and cr["other_units"] == ["umol/L"]


def test_corpus_render_html_and_json(nlp) -> None:  # type: ignore[no-untyped-def]
    s = CorpusStats()
    s.add(parse(nlp, "NCT00000301", XSS_CRITERIA, title=XSS_SCRIPT))
    s.add(parse(nlp, "NCT00000302", A))
    html = render_corpus(s, ".html")
    assert "Parser coverage" in html and "<svg" in html and "<script" not in html.lower()
    data = json.loads(render_corpus(s, ".json"))
    assert data["trials"] == 2 and 0 <= data["share_not_computable"] <= 1
    with pytest.raises(ValueError):
        render_corpus(s, ".md")


def test_findings_other_condition_is_not_a_contradiction(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000033", "Inclusion Criteria:\n\n* Acute myeloid leukemia\n\n"
                "Exclusion Criteria:\n\n* History of other malignancy\n", title="MSC in acute myeloid leukemia")
    assert include_exclude("t", doc) == [] and title_conflicts("t", doc) == []
    plain = parse(nlp, "NCT00000034", "Inclusion Criteria:\n\n* Acute myeloid leukemia\n\n"
                  "Exclusion Criteria:\n\n* Malignancy\n")
    assert [f.kind for f in include_exclude("t", plain)] == ["contradiction"]


def test_findings_qualified_exclusion_is_info(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000035", "Inclusion Criteria:\n\n* Diabetes mellitus\n\n"
                "Exclusion Criteria:\n\n* Diabetes mellitus with renal failure or heart failure\n")
    fs = include_exclude("t", doc)
    assert fs and {f.severity for f in fs} == {"info"}


def test_findings_sibling_without_shared_name_is_not_a_title_conflict(nlp) -> None:  # type: ignore[no-untyped-def]
    # angina and heart failure are both under "cardiac dysfunction" but neither is a form of the other's name
    doc = parse(nlp, "NCT00000036", "Inclusion Criteria:\n\n* Angina pectoris\n", title="MSC for heart failure")
    assert title_conflicts("t", doc) == []


def test_plots_escape_trial_labels(nlp) -> None:  # type: ignore[no-untyped-def]
    """A trial without an NCT id is labelled by its source (a file name can hold markup)."""
    from nlp.reports import plots

    doc = parse(nlp, "NCT00000061", C)
    doc = doc.model_copy(update={"record": doc.record.model_copy(update={"nct_id": None, "source": XSS_SCRIPT})})
    comp = build_comparison([doc, parse(nlp, "NCT00000062", A)])
    assert comp.labels[0] == XSS_SCRIPT
    sim = comp.similarity
    assert sim is not None
    for svg in (plots.age_ranges(comp.rows, comp.labels), plots.thresholds(comp.rows, comp.labels),
                plots.presence_heatmap(comp.rows, comp.labels), plots.similarity_plot(sim.combined, sim.labels, sim.linkage)):
        assert svg and "<script" not in svg and "&lt;script&gt;" in svg
    assert "<script" not in render_comparison(comp, ".html")


def test_corpus_not_computable_reasons_with_detail(nlp) -> None:  # type: ignore[no-untyped-def]
    s = CorpusStats()
    s.add(parse(nlp, "NCT00000401", "Exclusion Criteria:\n\n* Subjects with arterial insufficiency\n"
                "* Investigator judgement: unsuitable\n* Pregnancy\n"))
    assert s.criteria == 3 and s.not_computable == 2
    # "arterial insufficiency" (an LCT criterion's words): the NER tags it as a condition the
    # linker finds no concept for ("hemodynamic instability", the example before, is now a curated
    # concept; "respiratory distress", the one before it, is now ICD-10-CM
    # R06.03 "Acute respiratory distress"; "Cardiovascular failure", the one before it, a cardiac
    # dysfunction: one organ word before a dysfunction head)
    assert s.reason_detail == {"not recognised: no entity tagged, unlinked NER CONDITION": 1,
                               "left to the investigator's judgement": 1}
    assert s.reasons == {"not recognised: unlinked span of the statistical NER": 1,
                         "left to the investigator's judgement": 1}
    r = CorpusStats()
    r.add(parse(load_pipeline(ner=False), "NCT00000402", "Exclusion Criteria:\n\n* Blue eyes\n"))
    assert r.reason_detail == {"not recognised: no entity tagged": 1}
    assert r.reasons == {"not recognised: no computable concept, value or judgement found": 1}


def test_findings_exclusion_with_qualifier_word_is_info(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000037", "Inclusion Criteria:\n\n* Knee osteoarthritis\n\n"
                "Exclusion Criteria:\n\n* Contralateral knee osteoarthritis\n", title="MSC for knee osteoarthritis")
    fs = include_exclude("t", doc) + title_conflicts("t", doc)
    assert len(fs) == 2 and {f.severity for f in fs} == {"info"}


def test_findings_exclusion_under_qualifying_lead_in_is_info(nlp) -> None:  # type: ignore[no-untyped-def]
    def doc(lead_in: str):  # type: ignore[no-untyped-def]
        return parse(nlp, "NCT00000038", "Inclusion Criteria:\n\n1. Diabetes mellitus\n\nExclusion Criteria:\n\n"
                     f"1. {lead_in}\n   a) Diabetes mellitus\n   b) Cancer\n")

    plain, qualified = doc("Any of the following:"), doc("Any of the following requiring surgery:")
    assert plain.criteria[-2].parent == qualified.criteria[-2].parent == "E1"  # nested under the lead-in
    assert [f.severity for f in include_exclude("t", plain)] == ["warning"]
    assert [f.severity for f in include_exclude("t", qualified)] == ["info"]


def test_findings_title_non_prefix_names_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    crit = "Exclusion Criteria:\n\n* Multiple sclerosis\n"
    assert title_conflicts("t", parse(nlp, "NCT00000039", crit, title="MSC in non-multiple sclerosis demyelination")) == []
    assert len(title_conflicts("t", parse(nlp, "NCT00000040", crit, title="MSC in multiple sclerosis"))) == 1


def test_findings_bare_check_uses_the_concept_mention(nlp) -> None:  # type: ignore[no-untyped-def]
    # "6 hours" is a 0-day window, which title_conflicts treats as none (72 hours are now 3 days)
    doc = parse(nlp, "NCT00000045", "Exclusion Criteria:\n\n* More than 6 hours from the onset of multiple sclerosis\n",
                title="MSC in multiple sclerosis")
    fs = title_conflicts("t", doc)
    assert fs and {f.severity for f in fs} == {"info"}
