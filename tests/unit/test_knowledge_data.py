"""The knowledge files of stage 4 (cues, clinical inferences, window anchors): each file is
validated against its schema, a malformed file is one clear error naming it, and every cue and
every inference rule has a test of what it reads."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from nlp.analyze import parse_record
from nlp.core.knowledge import cue, read_cues, read_inferences
from nlp.core.lexicon import Lexicon
from nlp.core.tables import TableError
from nlp.core.windows import read_anchor_table
from nlp.records import read_text


def _text(name: str) -> str:
    return (resources.files("nlp.resources") / name).read_text(encoding="utf-8")


def test_knowledge_files_validate() -> None:
    lex = Lexicon.load()
    assert read_cues().cues
    rules = read_inferences(known_concepts=frozenset(lex.entries)).rules
    assert {r.id for r in rules} == {"uncontrolled_hypertension", "infection_needing_treatment", "stem_cell_study"}
    assert read_anchor_table().anchors


@pytest.mark.parametrize(("bad", "message"), [
    ("{not json", "(top level): Invalid JSON"),
    ('{"cues": {"x": "("}}', "cues.x: Value error, pattern '(' does not compile"),
    ('{"cues": {}, "extra": 1}', "extra: Extra inputs are not permitted"),
])
def test_knowledge_bad_cue_file_is_one_clear_error(bad: str, message: str, tmp_path: Path) -> None:
    f = tmp_path / "my_cues.json"
    f.write_text(bad, encoding="utf-8")
    with pytest.raises(TableError) as exc:
        read_cues(f)
    assert str(exc.value).startswith(f"{f}: {message}") and "\n" not in str(exc.value)


def test_knowledge_bad_anchor_file_is_one_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "anchors.json"
    f.write_text('{"anchors": [{"anchor": "lunch", "patterns": ["meal"]}]}', encoding="utf-8")
    with pytest.raises(TableError, match=r"anchors\.0\.anchor: Input should be"):
        read_anchor_table(f)


def test_knowledge_inference_rules_name_known_cues_and_concepts(tmp_path: Path) -> None:
    f = tmp_path / "inferences.json"
    data = json.loads(_text("inferences.json"))
    data["rules"][0]["cue"] = "no_such_cue"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TableError, match="unknown cue 'no_such_cue'"):
        read_inferences(f)
    data = json.loads(_text("inferences.json"))
    data["rules"][0]["add"]["concept"] = "no_such_concept"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TableError, match="unknown concept 'no_such_concept'"):
        read_inferences(f, known_concepts=frozenset(Lexicon.load().entries))


CUE_CASES = [
    ("relative_pronoun", "chronic kidney disease who did not", "chronic kidney disease or dialysis"),
    ("run_on_item", "did not receive antithrombotic therapy Se", "did not receive antithrombotic therapy, Se"),
    ("run_on_item", "therapy Se", "without claudication, or Tc"),
    ("participation_allowed", "patients with stable disease may participate", "patients eligible for transplantation"),
    ("result_negation", "a site that is free from infection", "a site that is free to walk"),
    # NCT04011059 "Negative serology for HIV"; a positive one is no negation
    ("result_negation", "Negative serology for HIV", "Positive serology for HIV"),
    ("result_negation", "negative results of HIV", "negative impact of HIV"),  # ctgov-msc NCT04213131
    # NCT02104713 "HIV 1 / 2, HTLV I/II": the types of the item before the join
    ("type_number_after", " 1 / 2, ", "1.5 mg, "),
    ("bracketed_list_close", "(ascites, hepatic encephalopathy, etc.)", "(as confirmed by serology"),
    ("applies_if", "INR > 3.0 for those using anticoagulant therapy", "INR > 3.0 in all patients"),
    ("negation", "for those who did not receive anticoagulant", "for those using anticoagulant"),
    ("negation", "complete heart block in the absence of a", "complete heart block with a"),  # NCT02013674
    ("uncontrolled", "blood pressure >= 180/110 mmHg despite treatment", "blood pressure >= 180/110 mmHg"),
    ("needing", "infection requiring IV antibiotics", "infection treated with IV antibiotics"),
    ("stem_cell", "another stem cell study", "another drug study"),
    ("clause_opener", "HIV infection, or", "HIV infection"),
    ("or", "MS or NMO", "MS and NMO"),
    ("and", "MS and NMO", "MS or NMO"),
    ("any_of", "Meeting one of the following:", "Meeting the following:"),
    ("at_least_n_of", "at least two of the following", "at least 18 years"),
    ("sentence_end", "Negative pregnancy test. Women", "creatinine 1.5 mg/dL"),
    ("conditional", "Lansky score 60% or greater if under 10 yrs old", "transfusion if needed"),
    ("conditional", "provided that the patient is on stable doses", "Able to understand study information provided to him."),  # NCT00883727: a participle
    ("age_at_event", "Patients relapsing or progressing ", "Patients with newly diagnosed AML "),
    ("age_relative", "speaking English before age 5", "aged 18 to 60"),  # LCT
    ("age_unit_filler", " years-old or older", " years or older"),
    ("unit_restatement_gap", " (approx. ", ", "),
    ("treatment_naive_after", "-naïve patients", "-treated patients"),
    ("naive_alternative", " or stable dose", " patients"),
    ("free_suffix", "-free for at least 5 years", " free light chains"),
    ("cause_suffix", "-induced diabetes", " for diabetes"),
    ("exception_resumed", " are permitted)", " squamous cell carcinoma"),
    ("range_end_inclusive", "18 years (including) to 75", "18 years (range) to 75"),
    ("age_subgroup_modal_after", " years must be capable", " years or older"),
    ("aside_age_group", "women ", "smear "),
    ("aside_age_owner", "Pediatric age group population ", "mammography "),
    ("age_of_other", "gestational age at birth ", "Patients of reproductive age "),
    ("age_of_other", "Parent/legal guardian ", "Patient "),  # ctgov-msc NCT03706482
    ("reproductive_subgroup", "Negative pregnancy test in women", "Postmenopausal women"),
    ("reproductive_life_stage", "female patients of reproductive age", "Postmenopausal women"),  # NCT05520112
    # "a ratio of the partial pressure of arterial oxygen to the fraction of inspired oxygen" (LCT NCT03865056)
    ("ratio_of_before", "a ratio of the ", "a ratio of the partial"),
    ("ratio_to_join", " to the ", " and the "),
    # NCT04713878 "arterial pressure of oxygen/the fraction of inspired oxygen"
    ("ratio_slash_join", "/the ", " and the "),
    ("ratio_after", " ratio < 315", " > 2 x ULN"),  # "SpO2/FiO2 ratio < 315" (ctgov-msc NCT04905836); "ALT/AST > 2 x ULN"
    ("analyte_restated", "Weight overload expressed in body mass index", "Weight and body mass index"),
    # an analyte bracketed right after another restates it (ctgov-msc NCT02213705 "a blood pressure of
    # carbon dioxide at rest (PaCO2)> 6.7 kPa" is the PaCO2)
    ("analyte_restated", " of carbon dioxide at rest (", " > 6.7 kPa, and ("),
    ("nursing_not_lactation", " home residents", " women"),  # LCT NCT03860246
    ("sex_subgroup_lead", "Negative pregnancy test in ", "Postmenopausal "),
    ("pregnancy_past_before", "complications in a previous ", "Women with a twin "),
    ("pregnancy_not_state_before", "birth control to prevent ", "Women with a twin "),
    ("pregnancy_not_state_after", " test", " with twins"),
    ("example_lead", "contraindications such as pregnancy", "contraindications to pregnancy"),
    ("example_lead", "appropriate method includes hormones", "appropriate method is included"),  # NCT04368806
    ("example_negation", "No evidence of contraindications", "with or without a personal history"),
    ("example_list_gap", "diabetes, hypertension or ", "diabetes (type 2) or "),
    ("sentence_cut", "no diabetes; hypertension", "no diabetes, hypertension"),
    # a full stop before a capital (the cues are read case-insensitively: the capital is pinned),
    # not an abbreviation's (NCT01840540 "no contraindications to MR evaluations: e.g. pacemaker")
    ("sentence_cut", "no diabetes. Hypertension", "no contraindications: e.g. pacemaker"),
    ("scope_terminator", "without diabetes but with", "without diabetes and hypertension"),
    ("negation_pseudo_after", " respond to treatment options", " evidence of contraindications"),
    ("age_life_stage", "female patients of reproductive age ", "female patients aged "),
    ("age_group_subject", "Adults ", "Hemoglobin "),  # NCT04625738: "Adult over 18 who ..."
    ("age_group_restrictor", " who are under a legal protection measure", " or legally dependent"),
    ("unit_like_after", " grams/dL", " and under 60"),  # NCT01071577
    ("person_word", "Infants with BPD ", "Ischemic stroke that is supratentorial "),
    ("event_clause_cut", "stroke; akinesia", "stroke and akinesia"),
    ("old_after", " old between stroke onset", " old women taking"),  # after the time: NCT00908856, NCT01804153
    ("weeks_days_tail", " 6 days", " 10 days"),
    ("unless_lead", "may not participate unless they have agreed to use an ", "may not participate if they use an "),
    ("barred", "Women of reproductive potential may not participate", "Women of reproductive potential may participate"),
    ("use_requirement", "Females of childbearing potential must agree to use an ", "Patients who must use "),
    ("exposure_requirement", "should undergo these procedures", "should be excluded"),
    # ctgov-msc NCT02440074 "at least 6 months of conservative treatment"; a window is no course
    ("course_of", " of treatment with ", " of screening "),
    ("generic_analyte", "serum level", "ankle pressure"),  # NCT05501418
    ("scale_named", "OSDI-score", "Branching fistula"),  # NCT04615455, NCT04073472
    ("age_before_bare", "Men and women who are age in the range ", "Women of childbearing age "),  # NCT01547689
    ("age_after_bare", "-year-old women", " age-related"),  # LCT NCT03860064
    ("interval_join", ", and ", " or "),  # ctgov-msc NCT04346368
    ("outside_join", " or ", " and "),  # ctgov-msc NCT02104440 "Patients <18 or > 70 years"
    ("pressure_pair_before", "hypertension (defined as blood pressure> ", "Platelets "),  # ctgov-msc NCT01745744
    ("readings_on_occasions", " on more than one occasion", " on treatment"),  # ctgov-msc NCT01745744
    # "Patients 18 years and above", "women 18-45 years", "Men or women between 18 and 70 years": a
    # duration right after a word for people (NCT01529008)
    ("person_before", "Men or women between ", "patients with diabetes for "),
    ("hypothetical", "Intact cyst wall with high risk for ", "Intact cyst wall with "),  # ctgov-msc NCT03066245
    ("use_frequency_after", " more than once per week for", " more than 4 weeks"),  # ctgov-msc NCT03337243
    ("pressure_after", " systolic", " systolic blood pressure"),  # "180 mmHg systolic" (ctgov-msc NCT02805855)
    ("coordinated_comparisons", " but ", " in patients with "),  # "≥ 0.5 but ≤ 4.0 cm2" (ctgov-msc NCT03509870)
    # a drug class's drug noun, and the terms whose course noun names something else (NCT03406585)
    ("drug_class_head", "antidiabetic drugs", "antidiabetic therapy"),
    ("course_form_blocked", "study drug", "steroid drugs"),
    # LCT NCT03861819 "No absolute contra-indications to exercise: recent (<6 months) acute cardiac event ..."
    ("negated_colon_lead", "  -  No absolute contra-indications to exercise: recent", "Note: no other"),
    ("person_before", "Women between", "Women treated for"),  # glued "Women between35 and 45 years" (ctgov-msc NCT04706312)
    ("staged_gap", " (OA) (stage ", " requiring dialysis ("),  # ctgov-msc NCT01585857, NCT01840540
    ("other_scale_after", " according to Tonnis classification)", " requiring systemic therapy"),  # NCT05465096
    # ctgov-msc NCT03171194 "any infection requiring hospitalization or intravenous antibiotics"
    ("requiring_link", " requiring ", " or use of "),
    ("required_list_join", " or intravenous ", " within the past 60 days, "),
    # ctgov-msc NCT04484077 "at the time of consent", NCT01719640 "(signing consent)"; "Lack of consent" is none
    ("consent_as_time", "Age ≥18 to < 35 years at the time of ", "Lack of "),
    # NCT01730547 "≥1 EDSS point (if ...) or 0.5 EDSS point": the unit word after the scale's name
    ("score_unit_word", " point (if at randomization)", " pointed"),
    ("scale_points", "or 0.5 EDSS point", "1 more point"),  # NCT01730547
    # seed NCT07177677 "stable regimen of psychotropic medication for at least three months"
    ("stable_course", "stable regimen of psychotropic medication", "psychotropic medication"),
    ("aside_condition", "if at randomization EDSS ≤ 5.0", "≤ 5 x ULN if liver metastases"),
    # NCT03197623: "Total calcium values outside the normal range"; LCT: "Serum creatinine out of normal
    # range", "TSH within normal limits"; a range written out after it is read instead (NCT01305694)
    ("normal_range", "Serum creatinine out of normal range", "within normal limits (NV: 0.0-20.5 umol/L)"),
    ("normal_range", "TSH within normal institutional limits", "bilirubin above normal"),
    # ctgov-msc "serum creatinine higher than the normal value", "above or below normal values"
    ("normal_range", "Platelet count are above or below normal values", "under normal conditions"),
    # NCT03197623: "Total calcium values outside the normal range (corrected if albumin < LLN)"
    ("aside_condition", "corrected if albumin < lower limit of normal", "permitted if creatinine < 2"),
    # "(≤ 3 × ULN for Gilbert's syndrome)": the words before the condition; not a time's "for"
    ("aside_for_condition", "≤ 5 × ULN in patients with ", "≤ 8 g/dL for at least 2 weeks"),
    ("remission_exception", "a different malignancy, except if they have been disease-free ", "a different malignancy, disease-free "),
    ("remission_exception", ("other than basal cell carcinoma of the skin or carcinoma in situ, or any other cancer from "
                             "which the patient has been disease-free for "), "other than basal cell carcinoma. Disease-free for "),
    ("allergen_lead", " to penicillin or ", " or current use of "),
    ("allergen_lead", ", or intolerance to any ", ", or current use of "),  # NCT05333029: the last of a list of allergy words
    ("allergen_after", " or Streptomycin allergy", " or Streptomycin within 3 months"),
    ("allergy_word", "hypersensitivity", "drug allergic history"),
    ("exposure_word", " or current use of ", " to penicillin or "),
    ("any_of_following", "as evidenced by one or more of the following: i.", "all of the following: i."),
    # NCT03000712 "at least one of the following (1) age >50 years"; LCT NCT03866564 "... the following
    # subjective afflictions based on Q1 responses: 1)"; not a time "one of the following 3 days"
    ("any_of_following", "at least one of the following (1) age >50 years", "one of the following 3 days"),
    ("any_of_following", "one of the following subjective afflictions based on Q1 responses: 1)", "the following (1)"),
    ("list_enumerator", "the following (1) age", "2.5 mg or (1a)"),
    # NCT01985464 "at least three of the following criteria"; not a count of something else
    ("n_of_following", "at least three of the following criteria", "at least three of his siblings"),
    # NCT03961243 "within the last 6 months or in a clinical trial"; not an "and" (NCT00721045 "and intent to participate")
    ("window_closes_conjunct", " or in a clinical trial", " and intent to participate"),
    # NCT02899091 / NCT00366145: a lead-in without its colon; a time "in the following 48 h"
    ("following_lead_in", "contraception with one of the following methods", "within the following 3 days."),
    # NCT00749164 "1. Informed consent. 2. Any patient ..." (not a decimal, a small letter after it)
    ("inline_item_number", "Informed consent. 2. Any patient", "Platelets 2.5 g/dL or 2. patients"),
    ("inline_number_not_after", "ECOG ≤ ", "Informed consent. "),
    ("alternative_or", "in past 18 months or ≥ 1 relapse", "if 10 yrs old or older"),
    ("denied_value", "RRMS without ", "RRMS with "),
    ("denied_value", "presence without ", "with or without "),  # NCT00810212: "with or without" denies nothing
    ("denied_value", "relapse or without ", "with or without "),  # NCT01606215: "or without" alone still denies
    # NCT02530047: "hemoglobin level needs to be stable (no drop by more than 1 gm/dl ...)"
    ("denied_value", "stable (no drop by ", "stable (a drop by "),
    ("denied_expectation", "Moribund patient not ", "Moribund patient, notably "),
    ("time_limit", "death is imminent within the subsequent ", "death is imminent after "),
    ("age_condition", "Lansky score 60% or greater if ", "Lansky score 60% or greater in "),
    ("age_condition", "materials will be provided to, and reviewed with, patients ", "Patients "),  # NCT02379442: assent for minors
    ("permissive", "NIHSS can be lower than 7", "NIHSS lower than 7"),
    ("permissive", "one relapse is acceptable", "an acceptable method of birth control"),
    ("refusal", "unwilling to agree to use acceptable contraception", "unwilling to stop anticoagulants"),
    ("refusal", "patients who decline surgery", "cognitive decline such as"),  # LCT NCT03928613 excluded every patient without Parkinson's
    ("refusal", "declined participation", "unwilling to forgo pain medication"),  # ctgov-msc NCT05288725: forgoing it is stopping it
    ("modifier_of_treatment", " compression bandage", " within 3 months"),
    ("intolerance", "Unable to tolerate ", "Able to walk "),
    ("past_exposure", "if they have received any", "if they will receive any"),
    ("period_for", "for at least 4 weeks after", "at least 4 weeks after"),
    ("nor_item", "ventilation nor invasive ", "ventilation or invasive "),
    ("not_candidate", "disease not amenable to ", "disease amenable to "),
    ("dose_unit", "mg/kg/d", "mg/dL"),
    ("dose_gap_before", " doses ", " hemoglobin of all "),
    ("level_gap", " trough level of ", " 5 mg daily and "),
    ("reference_interval_lead", "AST (NV: ", "AST (> "),  # NCT01305694: the laboratory's normal values
    ("within_normal_limits", "total bilirubin within normal institutional limits ", "total bilirubin above normal limits "),
    ("multiple_comparator", "higher than", "higher dose"),  # NCT03378414: "1.5 times higher than normal value"
    ("dose_gap_after", " of oral ", " and the "),
    ("abbreviation_bracket", " (", " or "),  # fullmatched between a mention and its abbreviation
    ("cause_denied", "not fully explained by", "explained by"),
    ("negated_list_join", " relapse or high dose pulse ", " and "),  # fullmatched between two mentions (below)
    ("coordination_head", "lesions", "lesioned"),
    ("coordination_drug_head", "drugs", "drugstore"),
    ("coordination_filler", "important", "lung"),
    # "uncontrolled hypertension", "clinically significant, uncontrolled, or active cardiovascular
    # disease" (NCT01874665); "chronic" is a kind of disease, no severity
    ("severity_word", "clinically significant, uncontrolled, or active ", "chronic "),
    ("severity_word", "poor blood pressure control", "blood pressure control"),  # NCT03912480
    ("severity_cut", "(requiring oral steroids). ", "significant, uncontrolled, or "),
    # NCT05011474 "hypertension not controlled by drugs, ..., cirrhosis": the word is another item's
    ("severity_gap_blocker", " by drugs, ", ", or active "),
    ("severity_after", " not controlled by drugs", " controlled by drugs"),  # NCT05011474
    ("coordination_filler", "acute", "hepatic"),  # NCT00816803 "Acute injury"
    # NCT04569409 "hepatic deficiencies"; NCT00250302 "without joint involvement" is no single head
    ("coordination_single_head", "deficiencies", "involvement"),
    ("coordination_join", "and/or", "with"),
    ("ellipsis_item", "C", "CD"),
    ("ellipsis_item", "B", "a"),  # "Hepatitis B or a history of cancer" was read as hepatitis A too
    ("refusal", "who do not practice an acceptable method", "not pregnant"),
    ("requirement", "MMSE must be > 24", "the patient should be excluded if"),
    ("own_trial", "agree to participate in the clinical trial", "participation in drug trials"),
    ("other_trial", "participating in another study", "participate in the clinical trial"),
    ("prior_trial", "completed the parent study", "consent prior to any study procedures"),
    ("test_after", " skin (PPD) test", " infection"),
    ("test_after", " (HCV) serology", " (HCV) infection"),  # ctgov-msc NCT02932852
    ("result_negative_lead", "Negative ", "Positive "),  # ctgov-msc NCT02932852
    ("negated_kind_head", " condition that limits lifespan", " patients with"),  # ctgov-msc NCT00587990 "Non-cardiac condition"
    ("negated_state_end", "dialysis dependent", "hematological malignancy"),  # ctgov-msc NCT03929900 "Non-dialysis dependent"
    ("negated_state_end", "infected wound", "infected persons"),  # ctgov-msc NCT03509870 "non-infected wound": the patient's wound
    ("lacking_after", " without a functioning ", " with a "),  # NCT02501811
    ("accompanied_by", "mg/dl and presence of urine ketones", "presenting with"),  # NCT00721045
    ("additive_join", ", as well as heaptitis B surface antigen", ", such as"),  # NCT04749667
    ("treatment_purpose_before", "recipient of prior stem cell/progenitor cell therapy for ", "therapy within 6 months before "),  # NCT00810212
    ("accompanied_by", "infection, accompanied by fever", "accompanying"),  # LCT NCT03925454
    ("of_another_person", "Infants of healthy mothers with", "Infants with"),  # LCT NCT03928431
    ("age_of_comparator", "over the age of 18", "up to age 35"),  # LCT; NCT01624701 (a catalogue item: not read)
    ("language_requirement", "Unable to understand and speak English.", "Unable to understand the protocol"),  # LCT
    ("legal_status_requirement", "Patient affiliated to a social security system", "Patient affiliated to a hospital"),  # LCT
    ("effect_if", "the patient should be excluded ", "a patient will not be excluded "),  # NCT01091701, NCT04865107
    ("ellipsis_lead", "to", "and"),  # LCT/ctgov-msc NCT05319106 "addicted to drugs, tobacco and alcohol"
    ("window_conjunct_cut", "experimental agents or enrolled", "experimental agents for AD"),  # NCT04040348
    ("pregnancy_test_after", " urine test performed within 72 hours", " at screening"),  # NCT00953485 / "Pregnant at screening"
    ("test_negative", "negative serum pregnancy test", "positive pregnancy test"),
    # NCT01429038 "EBV-negative;", NCT05456243 "Cytomegalovirus (CMV) sero-negativity", "(EBV naïve)"
    ("result_negative_after", " (CMV) sero-negativity", "-positive on serology"),
    # NCT04206007 "oophorectomy with or without hysterectomy", NCT04776538 "radiotherapy +/- chemotherapy"; not "Day 7±1"
    # "Stable dose of antidepressants, if any, for 4 weeks"; not the condition an "if" states
    ("optional_if", "antidepressants, if any, for 4 weeks", "if they are pregnant"),
    ("optional_lead", "radiotherapy +/- chemotherapy", "Day 7±1"),
    # dev key NCT03197623 "phosphate" for the concept "serum phosphate"; not "blood pressure"
    ("specimen_lead", "serum phosphate", "blood pressure"),
    # NCT02247973 "renal function (Cr) is twice higher than the ULN", NCT03265613 "Hemoglobin elevates 20g/L more
    # than normal upper limit": a multiple or an offset of the limit, not the limit itself; not "vitamin B12 "
    ("amount_before_reference", "Hemoglobin elevates 20g/L ", "vitamin B12 "),
    ("optional_gap", " an ", " for "),
    # NCT00749164 "Donor who is positive for HIV, ... and anti HCV negative."
    ("result_positive", "HBs-Ag, IgM anti-HBc positive", "non-reactive"),
    ("prefix_negation", "must be non-", "must be "),
    ("clause_boundary", "HIV, or", "HIV infection"),
    ("clause_punctuation", "CKD; grade", "CKD grade or stage"),
    ("duration_join", " but ", " ulcer "),
    ("duration_join", ", ", " or "),  # NCT02564328
    ("sex_qualifier_gap", " (", " and ALT "),
    ("function_normal", "adequate ", "abnormal "),
    ("function_normal", "within normal ", "institutional upper limit of normal "),  # NCT01305694: the limit's own word
    ("function_abnormal", "abnormalities in ", "adequate "),
    ("function_abnormal_after", " impaired", " test"),
    ("judgement_phrase", "which the physician deems", "confirmed by a physician"),  # NCT01456819
    ("judgement_phrase", "The investigator determines that there may be increased risk", "the investigator will review the scans"),  # NCT04293692
    ("judgement_phrase", "which the investigator or treating physician feels", "which the investigator and the patient sign"),  # NCT01573923
    ("judgement_phrase", "patients identified a high immunological risk by the transplant physician", "Patients identified by screening"),  # NCT02492308
    ("judgement_phrase", "judged to be not applicable to this study by doctors", "judged to be stable by imaging performed by the radiology unit"),  # NCT01218464
    ("unspecified_illness", "Uncontrolled intercurrent illness", "uncontrolled hypertension"),  # NCT02530047
    ("unspecified_illness", "any other co-morbid illness", "the following comorbidities:"),  # NCT01606215
    ("unspecified_illness", "Any systemic uncontrolled disease", "systemic lupus erythematosus"),  # NCT02772289
    ("participation_phrase", "Patients included in another therapeutic trial", "can be included in the phase I study"),  # NCT03994666, NCT03298763
    # ctgov-msc NCT02815423 "in the researcher´s opinion": an apostrophe written as an accent
    ("judgement_phrase", "in the researcher´s opinion", "the researcher´s report"),
    ("consent_phrase", "Unwillingness or inability to follow study protocol", "agree to use contraception"),  # NCT02012153
    ("consent_phrase", "Patients who refuse to participate", "Patients who refused blood transfusion"),  # LCT
    ("consent_phrase", "Must be able to follow postoperative management program.", "follow-up imaging program"),  # NCT00721045
    ("consent_phrase", "Able to understand study information provided to him.", "able to understand the disease"),  # NCT00883727
    ("past_word", "has not undergone a ", "not requiring "),  # NCT01663116
    ("sub_stage_level", "CKD stage 3b-4", "CKD stage 3-4"),  # NCT01843387
    ("control_multiple", "<1.5×control", "<1.5×ULN"),  # NCT02338375
    ("condition_anaphor", "Diabetic foot ulcer, the ulcer lasted", "an ulcer of the foot"),  # NCT05319106
    ("diagnosis_event", "type 1 diabetes diagnosed less than", "type 1 diabetes treated less than"),  # NCT03406585
    ("diagnosis_lead", "A new diagnosis of ", "previously diagnosed or undiagnosed "),  # NCT04061746, NCT03863002
    ("trailing_abbreviation", "central macular thickness (CMT)", "central macular thickness"),  # LCT NCT03866746
    ("graded_name", "Outerbridge Grade", "anti-HLA Class"),  # NCT03477942, NCT02492308
    ("stage_before", "Had a Grade ", "Had a Grade of "),  # NCT03857841
    ("since_start", " since initiation of mechanical ventilation", " in the period of ventilation"),  # NCT05125562
    ("since_last", " since the last focal radiotherapy", " since initiation of radiotherapy"),  # NCT04758533
    ("after_start", " from prior chemotherapy", " in prior chemotherapy"),  # LCT NCT03896568
    ("after_last", " after discontinuation of trastuzumab", " after initiation of trastuzumab"),  # LCT NCT02408432
    ("period_lead", "contraception for a period of ", "contraception in a period of "),  # NCT00555828
    ("past_word", "No prior ", "not currently taking "),
    ("past_word_after", " prior to enrollment", " for the duration of the study"),
    ("consent_phrase", "inadequate understanding of the study protocol", "inadequate understanding of the disease"),  # NCT02302599
    ("consent_phrase", "Mental disability that impedes adequate understanding of the study", "understanding of the mechanism"),  # NCT01914887
    # LCT "Inability to perform study procedures", "Inability to complete questionnaires."; a clinical
    # test is no compliance (ctgov-msc NCT00498316 "unable to perform pulmonary function test (PFT)")
    ("consent_phrase", "Inability to complete questionnaires.", "unable to perform pulmonary function test (PFT)"),
    ("consent_phrase", "willing patients to participate in trial", "patients willing to donate"),  # NCT04492501
    ("consent_phrase", "Agrees to the collection of venous blood per protocol", "collection of fluid in the knee"),  # NCT04362189
    ("consent_phrase", "Inaccessibility for follow up", "inaccessible lesion"),  # NCT01714167
    ("consent_phrase", "Authorize the participation of the study", "authorized representative"),  # NCT03855631
    ("consent_phrase", "or without full capacity for civil conduct", "reduced lung capacity"),  # NCT03357770
    ("consent_phrase", "Individuals incapable of making informed decisions", "decision to treat"),  # NCT02468492
    ("consent_phrase", "Patient refusal to be followed by a period", "refused blood transfusion"),  # NCT02630836
    # agreeing to or accepting what the study asks (set 7 NCT03676400; NCT01552707, NCT02854579), not contraception
    ("consent_phrase", "Subject agreeing to use a neutral shampoo", "agree to use effective birth control"),
    ("consent_phrase", "The patient does not accept to be followed-up", "before accepting the clinical criteria"),
    ("consent_phrase", "Subject accepting the constraints of the phototrichogram technique", "Can not accept MRI inspection"),
    ("consent_phrase", "Able to follow physicians directions", "follow-up imaging program"),  # set 7 NCT03410355
    ("consent_phrase", "Able to participate for the entire protocol study period", "participate in sports"),  # set 7 NCT03410355
    ("participation_phrase", "Participation in any study of experimental drug", "agree to participate in the trial"),  # NCT04590118
    ("participation_phrase", "Active participation in other research therapy", "willing to participate in research"),  # NCT00721045
    ("participation_phrase", "plans to participate in any other allogeneic stem cell/progenitor cell therapy trial",
     "willingness to participate in this observational study"),  # NCT00810212, LCT NCT03869281
    ("participation_phrase", "Have participated in stem cell clinical research",
     "safely participating in and/or completing all study requirements"),  # NCT04302519, NCT03015623
    ("hypothetical", "planning to become ", "pregnant "),
    ("hypothetical", "patients who could require ", "patients who required "),  # modal of possibility (ctgov-msc NCT05035862)
    ("count_alternatives", "one or two degenerative lumbar discs", "1 or 2.5 mg"),  # NCT05011474
    ("reproductive_hormone", "serum FSH levels", "ferritin levels"),  # NCT01768702
    ("reproductive_state", "Women who are postmenopausal", "Women who are pregnant"),  # NCT01768702
    ("defined_by_after", " as manifested by NYHA", " with NYHA"),  # NCT01983709 (matched at the mention's end)
    ("exception", "malignancy, except basal cell carcinoma", "malignancy within 5 years"),
    ("age_after", " years-old or older", " after stroke onset"),
    # LCT NCT03926572 "Adult patients over 18 years" (the value taken out); not a duration of something
    ("age_only_rest", "Adult patients   .", "Disease duration  "),
    ("age_lead", "aged between ", "within "),
    ("range_join", " and ", " with "),
    ("scale_level_word", "NYHA functional class", "classic"),
    ("scale_level_word", "Kellgren-Lawrence grading II-IV", "upgrading"),  # ctgov-msc NCT05027581
    ("coordinated_values", " for men and ", " and ECOG "),
    ("range_ends_join", ", but ", " or "),
    ("or_list_comma", ", severe ", ", or "),
    ("class_dose_lead", " (prednisone", " prednisone "),
    ("dose_mass_unit", "mg", "mg/dL"),
    ("daily_dose_word", " at a daily dose ", " dosed weekly "),
    ("unit_continues", " / kg / min", " prednisone"),
    ("not_daily_dose_word", " a cumulative dose of ", " a daily dose of "),
    ("negated_and_join", ", and chronic ", " and adequate "),
    ("scale_class_letters", " grade B or C", " grades"),
    ("class_points_gap", " (Child-Pugh score of ", " and ascites, "),
    ("scale_name_tail", ") score ", " heart failure for "),  # NCT04371393 "(APACHE IV) score >5"
    ("inhibitor_short_form", "oral PDE-5i", "multi-center"),  # dev NCT02745808
    ("scale_condition_gap", " ", "x"),  # NCT01843387 "NYHA Class III or IV heart failure" (fullmatch: the gap between them)
    ("inability_to_use", "not able to use contraceptives", "able to use contraceptives"),  # ctgov-msc NCT05016011
    ("preposition_before", "Scale for Assessment and Rating of ", "absolute neutrophil "),  # NCT03378414 "SARA (Scale for Assessment and Rating of Ataxia)"
    ("scale_named_after", " according to Fontaine", " according to X-ray."),  # NCT01351610 "staging of ≥III according to Fontaine"
    ("treatment_judged", "Patients with CLI indicated for ", "Patients with CLI treated with "),  # NCT01484574
    ("treatment_judged", "Medically suitable for ", "Medically unable for "),  # LCT NCT02932852
    ("treatment_judged_after", " is not anticipated over a period", " in study limb"),  # NCT00919958
    ("treatment_judged_after", " scheduled for the next 90 days", " for the next 90 days"),  # LCT NCT04366271
    ("allergen_lead", " response to ", " responded to "),  # LCT NCT04445220
    ("allergen_lead", " for propofol", "\nFor the T2D groups"),  # LCT NCT03861377, NCT03923205
    ("treatment_judged", "Scheduled to undergo ", "Recovered to undergo "),  # LCT NCT03868709
    ("treatment_judged_after", " Wait List", " Waiting time"),  # LCT NCT03921593
    ("treatment_acted_on", "medications known to significantly interact with ", "medications known to interact, and "),  # NCT05035862
    ("treatment_acted_on", "other therapy that possibly influence ", "lesions affected by prior "),  # NCT03186456; constructed: the passive's agent was received
    ("stable_if_taken", " must have been stable for at least 2 weeks", " must have been stopped for at least 2 weeks"),  # NCT02677350
    ("dose_word", "The dose of steroids", "The use of steroids"),  # NCT02677350
    ("age_unit_word", "18 years", "18 kg"),
    ("age_word", "under the age of", "within 3 days"),
    ("window_word", "within 7 days", "18 years"),
    ("treatment_naive", "naïve to TNF inhibitors", "refractory to TNF inhibitors"),
    ("washout", "must have been discontinued at least 4 weeks before", "use of anticoagulants within 14 days"),
    ("over_amount", "over 3 months", "over the past 3 months"),
    ("over_amount_gap", " is ", " in the past "),
    ("weeks_plus_days", "≥36+0 weeks", "CD4+ 3 weeks"),
    ("value_anaphor", "We will require a value", "Additional exclusion criteria"),
    ("exposure_end", "chemotherapy last dose must have been received", "chemotherapy at least 3 months earlier"),
    ("treatment_word", " under conventional therapy ", " symptoms are to be present "),
    ("number_exempt", "sepsis", "allergy"),
    ("bound_prefix", "history of anti-", "history of antibiotics "),  # LCT "anti-convulsant"
    ("compound_tail", "-Hypopnea index", " - 2 weeks"),  # LCT NCT03866161 "Apnea-Hypopnea index"
    ("adjective_word", "rheumatic disease", "HCV"),  # "anti-rheumatic": a drug's class; "anti-HCV": an antibody
    ("time_relation_after", " prior to the surgical implantation", " for the study"),
    ("minimum_before", "a minimum ", "minimum of the "),
    ("maximum_before", "with a maximum ", "maximum of "),
    ("bound_value_gap", " of ", " for at least "),
    ("number_in_words", "at least two", "at least 2"),
    ("counted_word_after", " heart failure hospitalizations", " ; "),
    ("other_than_target", "history of a different ", "history of "),
    ("coordination_intro", " (including but not limited to kidney", " with kidney"),  # NCT04953572
    ("coordination_intro", "in other vital organs(e.g.the heart", "in other vital organs"),  # NCT01223664
    ("change_before", "an increase of ", "an increase in hemoglobin to "),  # NCT01730547
    ("change_after", " mg/dL rise in serum creatinine", " mg/dL in serum creatinine"),  # NCT01602328
    # a key's analyte naming a change (NCT01602328's "serum creatinine rise from baseline")
    ("change_word", "serum creatinine rise from baseline", "serum creatinine"),
    # a quantity no vocabulary has (nlp/pipeline/components.py ``_quantities``; ctgov-msc NCT04953572,
    # NCT02745366, NCT03166189, NCT03754465, NCT00555828)
    ("area_bearer", "lesions", "lesional"),
    ("area_bearer_gap", ") estimated to be ", " on femoral condyle between "),
    ("quantity_gap", " of the cartilage defect in the patient is ", " (considering "),
    ("quantity_of", " of the cartilage defect", " in the cartilage defect"),
    ("quantity_in_after", " in diameter", " diameter"),
    ("quantity_with_before", "a stricture with a ", "a stricture without a "),
    ("quantity_change", "has increased or decreased in size by", "has a size of"),
    ("quantity_name_cut", "indicating", "thickness"),
    ("level_word_before", "elevated serum ", "elevated serum ferritin "),  # NCT04456439
    ("level_value_after", " levels (", " levels; creatinine "),
    ("level_analyte_of_after", " of the foot", " (HELLP)"),  # NCT03509870
    ("plural_word", "relapses", "relapse"),
    ("not_counted", "degrees", "relapses"),
    ("count_rate_after", " per day", " per protocol"),
    ("value_pair_join", " and ", ", "),
    ("scale_noun_before", "Clinical Dementia Rating score of ", "dementia score in patients with "),  # right before a value (NCT04865107)
    ("scale_name_connector", "and", "with"),
    ("caused_by_treatment", "Taking medications known to cause ", "History of drug induced "),  # before a condition (NCT03570333)
    ("treatment_for_before", "never received therapy for ", "never received therapy, "),  # before a condition (NCT01222039)
    ("prevented_before", "therapy for prevention of ", "care for the secondary prevention of "),
    ("judged_join_before", "psychiatric condition that, ", "psychiatric condition; "),  # right before a judgement (NCT00284986)  # NCT02848131, NCT01297413
    ("caused_by_join", "orchitis secondary to mumps", "cirrhosis due to increased risk of infection"),  # LCT NCT03864198, NCT01933802
    ("scale_named_after_value", " on the Geriatric Depression Scale (GDS)", " in the last 3 months"),  # matched after a value (NCT03867474)  # fullmatched: "Eczema Area and Severity Index" (LCT NCT03921411)  # fullmatched between two values: "at least 40mm and not more than 90mm" (NCT02412735)
]


def test_knowledge_every_cue_has_a_case() -> None:
    assert {name for name, _, _ in CUE_CASES} | {"time_since_word", "age_owner_only", "stage_after_gap", "stage_before_gap", "value_adjoins", "value_ends_phrase", "age_gap", "defining_join", "accompanied_gap", "alternative_or_gap", "adjoining_gap",
                                                   "example_head_gap", "result_list_join", "threshold_after_gap", "threshold_before_gap", "scale_span_gap", "caused_gap", "judged_head_gap", "judged_list_join"} == set(read_cues().cues)


@pytest.mark.parametrize(("name", "hit", "miss"), CUE_CASES)
def test_knowledge_cue_reads_its_wording(name: str, hit: str, miss: str) -> None:
    assert cue(name).search(hit) and not cue(name).search(miss)


def test_knowledge_including_but_not_limited_to_ends_no_scope() -> None:
    # "No signs of infection, including but not limited to, body temperature >100 F": the examples
    # stay under the negation (ctgov-msc NCT04348435); a contrastive "but" still ends it
    assert not cue("scope_terminator").search("including but not limited to, fever")
    assert cue("scope_terminator").search("negative for HBsAg but positive for anti-HBc")


def test_knowledge_threshold_gaps_hold_a_bracket_or_of_only() -> None:
    # fullmatched between a diagnosis and a value: "scoliosis > 20°", "Aortic stenosis (<1cm²",
    # "Thrombocytosis> 450"; before it: "More than 5 degrees of varus" (NCT05488093, NCT02462330, NCT04520945)
    for gap in ("", " ", " (", "(", ": "):
        assert cue("threshold_after_gap").fullmatch(gap), gap
    for gap in (" in ", ", with varus ", " or "):
        assert not cue("threshold_after_gap").fullmatch(gap), gap
    assert cue("threshold_before_gap").fullmatch(" of ") and cue("threshold_before_gap").fullmatch(" of the ")
    assert not cue("threshold_before_gap").fullmatch(" in ") and not cue("threshold_before_gap").fullmatch(" of patients with ")


def test_knowledge_scale_span_gap_reaches_the_scale_named_after_a_length() -> None:
    # fullmatched between a scale's span and its name: "100 mm visual analog scale", "100mm on low
    # back pain visual analogue scale", "0-10 pain intensity numeric scale" (NCT01290367, NCT02412735, LCT NCT03867760)
    for gap in (" ", " on ", " on low back pain ", " pain intensity ", " on a "):
        assert cue("scale_span_gap").fullmatch(gap), gap
    for gap in (", ", "; ", " of which at least half were severe "):
        assert not cue("scale_span_gap").fullmatch(gap), gap


def test_knowledge_caused_gap_holds_a_symptom_word_only() -> None:
    # fullmatched between a condition and its cause's cue: "fatigue symptoms due to" (NCT05126563)
    for gap in ("", " ", ", ", " symptoms "):
        assert cue("caused_gap").fullmatch(gap), gap
    assert not cue("caused_gap").fullmatch(" in patients ") and not cue("caused_gap").fullmatch(" or ")


def test_knowledge_judged_gaps_hold_a_head_noun_or_a_list() -> None:
    # fullmatched: "psychiatric condition that", "PT ... >11.6 seconds and" (the value's end; NCT00284986, NCT04352803);
    # "hepatic, immunologic, infectious" (NCT03692221)
    for gap in (" ", " condition ", ", ", " disorder "):
        assert cue("judged_head_gap").fullmatch(gap), gap
    assert not cue("judged_head_gap").fullmatch(" within 3 months prior to screening ")
    for gap in (", ", ", immunologic, ", " or ", " and/or "):
        assert cue("judged_list_join").fullmatch(gap), gap
    assert not cue("judged_list_join").fullmatch("; ")


def test_knowledge_result_list_join_spans_a_list_separator_and_modifiers() -> None:
    for gap in (", ", ", and ", " and ", " and human ", " viruses (", ") and ", " or necrotic "):
        assert cue("result_list_join").fullmatch(gap), gap
    for gap in (", and patients with ", " and must have ", " but ", " ", " treated with "):
        assert not cue("result_list_join").fullmatch(gap), gap


def test_knowledge_negated_list_join_spans_only_an_or_and_modifiers() -> None:
    assert cue("time_since_word").fullmatch("from") and not cue("time_since_word").fullmatch("prior to")
    assert cue("negated_list_join").fullmatch(", or ") and cue("negated_list_join").fullmatch(" relapse or high dose pulse ")
    assert not cue("negated_list_join").fullmatch(" and ") and not cue("negated_list_join").fullmatch(" or who have ")


def test_knowledge_accompanied_gap_spans_only_a_comma() -> None:
    # what "accompanied by" qualifies stands right before it: "infection, accompanied by fever"
    # (LCT NCT03925454), never across another phrase ("mental disorders, all diseases with the
    # presence of the syndrome of dependence", NCT05167552)
    assert cue("accompanied_gap").fullmatch(", ") and cue("accompanied_gap").fullmatch(" ")
    assert not cue("accompanied_gap").fullmatch(", all diseases ")


def test_knowledge_alternative_or_gap_spans_a_word_or_two_in_lower_case() -> None:
    # "(by clinical history or hospital BP ≥140/90 on two occasions)" (LCT NCT03923790): a setting
    # between the "or" and the measure; never a measure of its own name, a clause or a line break
    for gap in ("", " ", " hospital ", " office measured "):
        assert cue("alternative_or_gap").fullmatch(gap), gap
    for gap in (" DLCO ", " a raised blood ", " hospital\n", " hospital, "):
        assert not cue("alternative_or_gap").fullmatch(gap), gap


def test_knowledge_adjoining_gap_spans_only_an_article() -> None:
    # "at least 10 pack-years", "less than a 3 pack year history" (ctgov-msc NCT02192736): the analyte
    # the value adjoins; not one a clause away
    for gap in ("", " ", " a ", " an "):
        assert cue("adjoining_gap").fullmatch(gap), gap
    for gap in (" of the ", " and ", ", "):
        assert not cue("adjoining_gap").fullmatch(gap), gap


def test_knowledge_defining_join_spans_a_bracket_or_a_linking_word() -> None:
    for join in (" (defined as ", " (", ", defined as ", " of ", " with ", " ", ": ", " - "):  # "Elevated fasting glucose - ≥ 100 mg/dL"
        assert cue("defining_join").fullmatch(join), join
    for join in (", ", " and ", " (see appendix) ", "-"):  # "hematoma-related": a compound
        assert not cue("defining_join").fullmatch(join), join


def test_knowledge_age_gap_cue_spans_only_filler_words() -> None:
    assert cue("age_gap").fullmatch(" between ") and cue("age_gap").fullmatch(": ")
    assert not cue("age_gap").fullmatch(" with at least one ")


def _constraints(nlp, text: str, section: str = "Exclusion"):  # type: ignore[no-untyped-def]
    [rec] = list(read_text(f"{section} Criteria:\n- {text}\n", "t.txt"))
    return [c for crit in parse_record(rec, nlp).criteria for c in crit.constraints]


@pytest.mark.parametrize(("text", "added"), [
    ("Blood pressure ≥180/110 mmHg despite treatment", ("condition", "hypertension")),
    ("Patients requiring intravenous antibiotics", ("condition", "active_infection")),
    ("participation in any other stem cell study within the past year", ("therapy", "stem_cell_therapy")),
])
def test_knowledge_each_inference_rule_fires(nlp, text: str, added: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    inferred = [c for c in _constraints(nlp, text) if c.provenance.inferred]
    assert [(c.kind, c.concept_id) for c in inferred] == [added]
    assert inferred[0].provenance.rule.startswith("inference:") and not inferred[0].certain


@pytest.mark.parametrize("text", [
    "Blood pressure ≥180/110 mmHg",  # no cue: a threshold, not a diagnosis
    "Uncontrolled hypertension with blood pressure ≥180/110 mmHg",  # named already: nothing to add
    "participation in any other clinical study within the past year",  # not a stem-cell study
])
def test_knowledge_inference_rule_needs_its_cue_and_a_gap(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert not [c for c in _constraints(nlp, text) if c.provenance.inferred]


def test_knowledge_example_head_gap_spans_a_course_noun_and_the_lead_s_bracket() -> None:
    # "TNF-antagonist therapy (e.g. infliximab ...)" (ctgov-msc NCT05176366), "autoimmune disease such
    # as lupus": the concept the examples are of, right before the lead; not one a word away
    for gap in ("", " ", " (", ", ", " therapy (", "-agents ", " treatments: "):
        assert cue("example_head_gap").fullmatch(gap), gap
    for gap in (" (manifestations ", " (i.e., standard of care ", " and "):
        assert not cue("example_head_gap").fullmatch(gap), gap
