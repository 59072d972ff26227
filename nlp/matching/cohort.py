"""Cohort SQL over an OMOP CDM v5.4 warehouse: per trial, one query that gives every person the
verdict ``elig match`` gives the same person read from the warehouse (``omop.read_patient``):
eligible, ineligible or needs_review, with the criteria that decide.

How it stays equal to the matcher: the SQL is compiled from the matcher's own rules, constraint
kind by constraint kind (``Matcher._read`` and its helpers; the verdict policy of
``Matcher._outcome``; ``combine``'s three-valued ALL / ANY / AT_LEAST), and the one thing SQL
cannot do, reading a concept's name with our lexicon, is done once per run in Python:
``prepare`` writes the temporary table ``elig_concept_map`` (OMOP concept_id -> our concept and
its is-a ancestors, exactly ``Matcher.concepts(name, code)`` of the concept's row, its code
carrying the codes of its ``concept_ancestor`` ancestors as ``read_patient`` gives them; ``exact``
for the concept itself, without ancestors), next to temporary views of the person, the record's date
(``as_of``) and the clinical tables as ``read_patient`` reads them. Unit conversions replay
``units.conversion_steps`` in the same order, so the same floating-point value is compared.

Verdict codes, ordered as the matcher ranks them: 0 pass, 1 not computable, 2 unknown (needs
review), 3 fail; ``and3`` is GREATEST, ``or3`` LEAST.

The SQL is plain: CASE, EXISTS, scalar subqueries, GREATEST / LEAST, date +/- integer days,
EXTRACT, concat_ws; it runs as written on DuckDB and PostgreSQL (``dialect`` changes only the
temporary-table syntax)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlp.core.alternatives import criterion_doubt, trial_alternatives
from nlp.core.constraints import (
    AgeCondition,
    AgeConstraint,
    AnyConstraint,
    Applicability,
    BmiConstraint,
    Concept,
    ConceptCondition,
    ConceptSet,
    ConditionConstraint,
    Group,
    JudgementConstraint,
    MeasurementConstraint,
    NumericRange,
    OtherConstraint,
    ProcedureConstraint,
    SexCondition,
    SexConstraint,
    TherapyConstraint,
    WeightConstraint,
    Window,
)
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.labels import TRIAL_EVENTS, Anchor, Exposure, GroupOp, Relation
from nlp.core.lexicon import UNCODED
from nlp.core.units import conversion_steps, ucum
from nlp.matching.evaluate import Matcher, _Reading, absence_of_target, course_days, spared_sets
from nlp.matching.omop import GENDER, broader_codes, code_of

PASS, NOT_COMPUTABLE, UNKNOWN, FAIL = 0, 1, 2, 3
VERDICT = {PASS: "pass", NOT_COMPUTABLE: "not_computable", UNKNOWN: "unknown", FAIL: "fail"}
UNBORN = "record:birth_after_record_date"  # what decides for a person born after the record's date
_ACTIVE = ("active", "recurrence")  # with no status: an active condition
_INACTIVE = ("resolved", "inactive", "remission")
_STATUSES = ("active", "resolved", "inactive", "remission", "recurrence")


def lit(s: str) -> str:
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def num(x: float) -> str:
    """A double-precision literal that reads back as exactly ``x``."""
    return f"CAST({lit(repr(float(x)))} AS DOUBLE PRECISION)"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(lit(v) for v in sorted(set(values))) + ")"


@dataclass
class _Read:
    """A compiled reading: ``holds`` a SQL boolean (NULL: cannot tell; None: never known) and
    ``absent``, a SQL boolean saying the answer rests on the record not listing an item."""

    holds: str | None
    absent: str = "FALSE"
    # a SQL boolean: the person meets an exclusion only through what the trial requires
    # (``Matcher.spared``), or None
    spared: str | None = None


@dataclass
class Cohort:
    """Compiles parsed trials to cohort SQL over the temporary views ``prepare`` makes."""

    matcher: Matcher
    units: tuple[str | None, ...] = ()  # the measurement units present in the warehouse (prepare)
    _targets: frozenset[str] = field(default_factory=frozenset)
    _required: tuple[ConceptSet, ...] = ()  # the conditions the trial's inclusions require
    # a trial's correlated subqueries, each computed once a person in its own layer (trial_sql):
    # anchors' dates first, then what reads the clinical tables (they may use an anchor)
    _anchors: dict[str, str] = field(default_factory=dict)
    _subs: dict[str, str] = field(default_factory=dict)

    # -- the run's temporary tables ----------------------------------------------------------------
    @staticmethod
    def setup(as_of: dt.date | None = None, dialect: str = "duckdb") -> list[str]:
        """The statements that make the temporary tables of persons and clinical items, as
        ``read_patient`` reads them; ``as_of``: the date of every record (default: as
        ``read_patient``, the end of the person's latest observation period, else today)."""
        day = f"DATE {lit(as_of.isoformat())}" if as_of else (
            "COALESCE((SELECT max(o.observation_period_end_date) FROM observation_period o "
            "WHERE o.person_id = x.person_id), CURRENT_DATE)")
        genders = " ".join(f"WHEN {cid} THEN {lit(sex)}" for cid, sex in sorted(GENDER.items()))
        stmts = [
            (f"CREATE TEMPORARY TABLE elig_person AS SELECT x.person_id, {day} AS as_of, "
            "COALESCE(CAST(x.birth_datetime AS DATE), CASE WHEN x.year_of_birth IS NOT NULL THEN "
            "make_date(x.year_of_birth, COALESCE(x.month_of_birth, 1), COALESCE(x.day_of_birth, 1)) END) AS birth, "
            f"CASE x.gender_concept_id {genders} ELSE 'unknown' END AS sex FROM person x"),
            ("CREATE TEMPORARY TABLE elig_cond AS SELECT t.person_id, t.condition_concept_id AS concept_id, "
            "t.condition_start_date AS onset, t.condition_end_date AS abatement, "
            f"CASE WHEN t.condition_status_source_value IN {_in(_STATUSES)} THEN t.condition_status_source_value "
            "WHEN t.condition_end_date IS NOT NULL AND t.condition_end_date <= p.as_of THEN 'resolved' END AS status "
            "FROM condition_occurrence t JOIN elig_person p ON p.person_id = t.person_id "
            "UNION ALL SELECT t.person_id, t.observation_concept_id, t.observation_date, NULL, NULL "
            "FROM observation t WHERE t.value_as_number IS NULL"),
            ("CREATE TEMPORARY TABLE elig_drug AS SELECT person_id, drug_concept_id AS concept_id, "
            "drug_exposure_start_date AS start_date, drug_exposure_end_date AS end_date FROM drug_exposure"),
            ("CREATE TEMPORARY TABLE elig_proc AS SELECT person_id, procedure_concept_id AS concept_id, "
            "procedure_date AS day FROM procedure_occurrence"),
            ("CREATE TEMPORARY TABLE elig_obs AS SELECT t.person_id, t.measurement_concept_id AS concept_id, "
            "t.measurement_date AS day, t.value_as_number AS value, u.concept_code AS unit, t.range_low AS low, "
            "t.range_high AS high, 0 AS src, t.measurement_id AS item_id FROM measurement t "
            "LEFT JOIN concept u ON u.concept_id = t.unit_concept_id WHERE t.value_as_number IS NOT NULL "
            "UNION ALL SELECT t.person_id, t.observation_concept_id, t.observation_date, t.value_as_number, "
            "u.concept_code, NULL, NULL, 1, t.observation_id FROM observation t "
            "LEFT JOIN concept u ON u.concept_id = t.unit_concept_id WHERE t.value_as_number IS NOT NULL"),
        ]
        if dialect == "postgres":  # its correlated subqueries run per row: index the person; a
            # trial's query is large and cheap, and JIT spent 20 s compiling what ran in 0.2 s
            stmts += ["SET jit = off"]
            stmts += [f"CREATE INDEX ON {t} (person_id)" for t in ("elig_person", "elig_cond", "elig_drug",
                                                                    "elig_proc", "elig_obs")]
        return stmts

    MAP_DDL = "CREATE TEMPORARY TABLE elig_concept_map (concept_id BIGINT, elig_id TEXT, exact BOOLEAN)"

    def concept_map(self, con: Any) -> list[tuple[int, str, bool]]:
        """The rows of ``elig_concept_map`` for every concept the clinical tables use (after
        ``setup``): our concepts of its name and code, with their ancestors."""
        used = con.execute(
            "SELECT DISTINCT i.concept_id, c.concept_name, c.vocabulary_id, c.concept_code FROM ("
            "SELECT concept_id FROM elig_cond UNION SELECT concept_id FROM elig_drug UNION "
            "SELECT concept_id FROM elig_proc UNION SELECT concept_id FROM elig_obs) i "
            "LEFT JOIN concept c ON c.concept_id = i.concept_id").fetchall()
        rows: list[tuple[int, str, bool]] = []
        up = broader_codes(con, [r[0] for r in used])
        for cid, name, voc, code in sorted(used, key=lambda r: (r[0] is None, r[0] or 0)):
            if cid is None:
                continue
            label, pcode = name or f"concept {cid}", code_of(voc, code, up.get(int(cid), ()))
            exact = self.matcher.concepts_exact(label, pcode)
            rows += [(int(cid), e, e in exact) for e in sorted(self.matcher.concepts(label, pcode))]
        return rows

    def prepare(self, con: Any, as_of: dt.date | None = None, dialect: str = "duckdb") -> list[tuple[int, str, bool]]:
        """Make the run's temporary tables (``setup``, the concept map) on ``con``; the map's rows."""
        for s in self.setup(as_of, dialect):
            con.execute(s)
        rows = self.concept_map(con)
        con.execute(self.MAP_DDL)
        if rows:
            con.executemany("INSERT INTO elig_concept_map VALUES (?, ?, ?)", rows)
        if dialect == "postgres":  # autovacuum never analyzes temporary tables: without statistics
            con.execute("CREATE INDEX ON elig_concept_map (elig_id)")  # the planner guesses badly
            con.execute("ANALYZE elig_person, elig_cond, elig_drug, elig_proc, elig_obs, elig_concept_map")
        self.units = tuple(r[0] for r in con.execute("SELECT DISTINCT unit FROM elig_obs ORDER BY unit").fetchall())
        return rows

    @staticmethod
    def _once(layer: dict[str, str], prefix: str, expr: str) -> str:
        """``expr`` (a subquery on person ``p``) as a column of ``layer``, one for equal
        expressions: its reference."""
        return "p." + layer.setdefault(expr, f"{prefix}{len(layer)}")

    def _sub(self, expr: str) -> str:
        return self._once(self._subs, "b", expr)

    # -- concepts --------------------------------------------------------------------------------
    @staticmethod
    def _under(col: str, ids: Iterable[str], exact: bool = False) -> str:
        ids = sorted(set(ids))
        if not ids:
            return "FALSE"
        return (f"{col} IN (SELECT m.concept_id FROM elig_concept_map m WHERE m.elig_id IN {_in(ids)}"
                + (" AND m.exact" if exact else "") + ")")

    def _in_set(self, col: str, cs: ConceptSet) -> str:
        """``Matcher.in_set`` of the item whose concept_id is ``col``."""
        out = self._under(col, [cs.concept.id], exact=not cs.include_descendants)
        if cs.excluded:
            out += f" AND NOT {self._under(col, [x.id for x in cs.excluded])}"
        return out

    # -- numbers -----------------------------------------------------------------------------------
    @staticmethod
    def _contains(x: str, r: NumericRange) -> str:
        parts = []
        if r.low is not None:
            parts.append(f"{x} {'>=' if r.low_inclusive else '>'} {num(r.low)}")
        if r.high is not None:
            parts.append(f"{x} {'<=' if r.high_inclusive else '<'} {num(r.high)}")
        return "(" + " AND ".join(parts) + ")" if parts else f"({x} IS NOT NULL OR NULL)"

    @staticmethod
    def _steps(x: str, steps: Sequence[tuple[str, float]]) -> str:
        for op, k in steps:
            x = f"({x} {op} {num(k)})"
        return x

    @staticmethod
    def _age(unit: str) -> str | None:
        """``Patient.age_in(unit)`` of the person row ``p`` (NULL without a birth date)."""
        months = ("((EXTRACT(YEAR FROM p.as_of) - EXTRACT(YEAR FROM p.birth)) * 12 + "
                  "(EXTRACT(MONTH FROM p.as_of) - EXTRACT(MONTH FROM p.birth)) - "
                  "CASE WHEN EXTRACT(DAY FROM p.as_of) < EXTRACT(DAY FROM p.birth) THEN 1 ELSE 0 END)")
        days = "(p.as_of - p.birth)"
        return {"a": f"CAST(FLOOR({months} / 12.0) AS DOUBLE PRECISION)", "mo": f"CAST({months} AS DOUBLE PRECISION)",
                "wk": f"CAST(FLOOR({days} / 7.0) AS DOUBLE PRECISION)", "d": f"CAST({days} AS DOUBLE PRECISION)"}.get(unit)

    # -- time ----------------------------------------------------------------------------------------
    def _anchor(self, w: Window) -> str:
        """``Matcher._anchor_date``: the anchor's date for person ``p`` (NULL when the record has none)."""
        a = w.anchor
        if a in TRIAL_EVENTS:
            return "p.as_of"
        if a == Anchor.BIRTH:
            return "p.birth"
        named = sorted(self.matcher.lexicon.concepts_in(w.anchor_text)) if w.anchor_text else []
        dates: list[str] = []
        if a == Anchor.LAST_DOSE:
            dates.append("SELECT t.end_date AS d FROM elig_drug t WHERE t.person_id = p.person_id AND t.end_date IS NOT NULL "
                         f"AND t.end_date <= p.as_of AND {self._under('t.concept_id', named)}")
        elif a in (Anchor.ONSET, Anchor.DIAGNOSIS):
            which = named if named else self._targets
            dates.append("SELECT x.onset AS d FROM elig_cond x WHERE x.person_id = p.person_id AND x.onset IS NOT NULL "
                         f"AND {self._under('x.concept_id', which)}")
        elif a in (Anchor.SURGERY, Anchor.TRANSPLANT, Anchor.EVENT):
            kind = {Anchor.SURGERY: "surgery", Anchor.TRANSPLANT: "organ_transplantation"}.get(a)
            which = named if named else ([kind] if kind else [])
            dates.append("SELECT x.day AS d FROM elig_proc x WHERE x.person_id = p.person_id AND x.day IS NOT NULL "
                         f"AND x.day <= p.as_of AND {self._under('x.concept_id', which)}")
            if a == Anchor.EVENT and named:
                dates.append("SELECT x.onset AS d FROM elig_cond x WHERE x.person_id = p.person_id AND x.onset IS NOT NULL "
                             f"AND {self._under('x.concept_id', named)}")
                dates.append("SELECT t.start_date AS d FROM elig_drug t WHERE t.person_id = p.person_id "
                             f"AND t.start_date IS NOT NULL AND {self._under('t.concept_id', named)}")
        return self._once(self._anchors, "a", f"(SELECT max(u.d) FROM ({' UNION ALL '.join(dates)}) u)")

    def _window(self, w: Window | None) -> tuple[str | None, str | None, str]:
        """``Matcher._window_dates``: SQL dates (since, until), None for an open end, and a SQL
        boolean that is true when the window cannot be placed."""
        if w is None:
            return None, None, "FALSE"
        at = self._anchor(w)
        lo, hi = w.low_days or 0, w.high_days
        if w.relation == Relation.BEFORE:
            return (f"({at} - {hi})" if hi is not None else None), f"({at} - {lo})", f"({at} IS NULL)"
        if w.relation == Relation.AFTER:
            since = f"({at} + {lo})"
            return since, (f"({at} + {hi})" if hi is not None else None), f"({at} IS NULL OR {since} > p.as_of)"
        return None, None, "TRUE"

    # -- per constraint --------------------------------------------------------------------------------
    def _read(self, c: AnyConstraint, crit: AnnotatedCriterion | None) -> _Read:
        if isinstance(c, AgeConstraint):
            age = self._age(ucum(c.range.unit) or "a")
            return _Read(self._contains(age, c.range) if age else None)
        if isinstance(c, SexConstraint):
            if c.sex == "all":
                return _Read("TRUE")
            return _Read(f"CASE WHEN p.sex = 'unknown' THEN NULL ELSE p.sex = {lit(c.sex)} END")
        if isinstance(c, WeightConstraint):
            return self._observation(c, "body_weight")
        if isinstance(c, BmiConstraint):
            return self._observation(c, "bmi")
        if isinstance(c, MeasurementConstraint):
            if c.concepts.concept.id == "disease_duration":
                return self._duration(c, crit)
            if c.concepts.concept.id.startswith(UNCODED):
                return _Read(None)  # no code to find it by in the warehouse (evaluate.py: a person reads it)
            return self._observation(c, c.concepts.concept.id)
        if isinstance(c, ConditionConstraint | OtherConstraint):
            return self._condition(c)
        if isinstance(c, TherapyConstraint | ProcedureConstraint):
            return self._exposure(c)
        # consent and trial participation: OMOP has no table for them (read_patient leaves them unknown)
        return _Read(None)

    def _observation(self, c: MeasurementConstraint | WeightConstraint | BmiConstraint, cid: str) -> _Read:
        unit = ucum(c.range.unit)
        if unit in ("xULN", "xLLN"):
            value = f"(o.value / NULLIF(o.{'high' if unit == 'xULN' else 'low'}, 0))"
        elif unit is None or unit in ("{score}", "{ratio}"):
            value = "o.value"
        else:
            whens = []
            for u in self.units:
                steps = conversion_steps(u, unit, cid) if u is not None else None
                if steps is not None:
                    whens.append(f"WHEN {lit(u)} THEN {self._steps('o.value', steps)}")  # type: ignore[arg-type]
            value = f"CASE o.unit {' '.join(whens)} END" if whens else "CAST(NULL AS DOUBLE PRECISION)"
        window = c.window if isinstance(c, MeasurementConstraint) else None
        since, until, problem = self._window(window)
        dated = "".join(f" AND o.day IS NOT NULL AND o.day {op} {d}" for op, d in ((">=", since), ("<=", until)) if d is not None)
        latest = self._sub(f"(SELECT {value} FROM elig_obs o WHERE o.person_id = p.person_id AND {self._under('o.concept_id', [cid])} "
                  f"AND (o.day IS NULL OR o.day <= p.as_of){dated} "
                  "ORDER BY COALESCE(o.day, DATE '0001-01-01') DESC, o.src, o.item_id LIMIT 1)")
        contains = self._contains(latest, c.range)
        return _Read(contains if window is None else f"CASE WHEN {problem} THEN NULL ELSE {contains} END")

    def _duration(self, c: MeasurementConstraint, crit: AnnotatedCriterion | None) -> _Read:
        sets = [k.concepts for k in (crit.constraints if crit else ())
                if isinstance(k, ConditionConstraint) and k.effect == "include" and k.present]
        if not sets:
            sets = [ConceptSet(concept=Concept(id=t, name=t)) for t in sorted(self._targets)]
        if not sets:
            return _Read(None)
        unit = ucum(c.range.unit) or "a"
        steps = conversion_steps("d", unit)
        if steps is None:
            return _Read(None)
        which = " OR ".join(f"({self._in_set('x.concept_id', s)})" for s in sets)
        days = self._sub("(SELECT p.as_of - max(x.onset) FROM elig_cond x WHERE x.person_id = p.person_id "
                         f"AND x.onset IS NOT NULL AND ({which}))")
        return _Read(self._contains(self._steps(f"CAST({days} AS DOUBLE PRECISION)", steps), c.range))

    def _condition(self, c: ConditionConstraint | OtherConstraint) -> _Read:
        cid = c.concepts.concept.id
        if cid in ("pregnancy", "lactation", "unspecified", "contraception"):
            return _Read(None)  # statuses OMOP has no table for, or nothing to look up
        since, until, problem = self._window(c.window)
        where = ["x.person_id = p.person_id", self._in_set("x.concept_id", c.concepts)]
        if not c.history:
            where.append(f"(x.status IS NULL OR x.status NOT IN {_in(_INACTIVE)})")
        if since is not None or until is not None:
            last = (f"COALESCE(x.abatement, CASE WHEN x.status IS NULL OR x.status IN {_in(_ACTIVE)} "
                    "THEN p.as_of ELSE x.onset END)")
            if since is not None:
                where.append(f"{last} IS NOT NULL AND {last} >= {since}")
            if until is not None:
                where.append(f"(x.onset IS NULL OR x.onset <= {until})")
        has = self._sub(f"EXISTS (SELECT 1 FROM elig_cond x WHERE {' AND '.join(where)})")
        holds = has if c.present else f"NOT {has}"
        spared = None
        if sets := spared_sets(self.matcher.lexicon, c, self._required):
            other = " OR ".join(self._in_set("x.concept_id", y) for y in sets)
            beyond = " AND ".join([*where, f"NOT ({other})"])
            spared = f"NOT {self._sub(f'EXISTS (SELECT 1 FROM elig_cond x WHERE {beyond})')}"
        return _Read(f"CASE WHEN {problem} THEN NULL ELSE {holds} END", f"NOT {has}", spared)

    def _exposure(self, c: TherapyConstraint | ProcedureConstraint) -> _Read:
        """``Matcher._exposed`` and ``_exposure_reading`` for therapies and procedures."""
        if c.exposure == Exposure.PLANNED:
            return _Read(None)
        table, start, end = ("elig_drug", "t.start_date", "t.end_date") if isinstance(c, TherapyConstraint) \
            else ("elig_proc", "t.day", "t.day")
        since, until, problem = self._window(c.window)
        base = ["t.person_id = p.person_id", self._in_set("t.concept_id", c.concepts)]
        where = [*base, f"({start} IS NULL OR {start} <= p.as_of)"]
        if c.exposure in (Exposure.IN_WINDOW, Exposure.WASHOUT):
            if since is not None:
                where.append(f"({end} IS NULL OR {end} >= {since})")
            if until is not None:
                where.append(f"({start} IS NULL OR {start} <= {until})")
        elif c.exposure == Exposure.CURRENT:
            if isinstance(c, ProcedureConstraint):  # a procedure is an event: any on record counts
                where = base
            else:
                where.append(f"({end} IS NULL OR {end} >= p.as_of)")
        has = self._sub(f"EXISTS (SELECT 1 FROM {table} t WHERE {' AND '.join(where)})")
        held = f"NOT {has}" if c.exposure == Exposure.WASHOUT else has
        if isinstance(c, TherapyConstraint) and c.duration is not None:  # ``Matcher._course``
            held = self._course(c.duration, table, where, start, end)
        holds = held if c.present else f"NOT ({held})"
        if (isinstance(c, TherapyConstraint) and c.dose is not None) or (isinstance(c, ProcedureConstraint) and c.duration is not None):
            problem = f"{problem} OR {has}"  # the drug taken, its dose not recorded; a procedure's length: unknown
        return _Read(f"CASE WHEN {problem} THEN NULL ELSE {holds} END", f"NOT {has}")

    def _course(self, duration: NumericRange, table: str, where: list[str], start: str, end: str) -> str:
        """``course_fits`` over the counted courses: TRUE when one surely lasted as asked, NULL
        when one's dates cannot tell, else FALSE."""
        lo, lo_inc, hi, hi_inc = course_days(duration)
        days = f"(LEAST(COALESCE({end}, p.as_of), p.as_of) - {start})"

        def inside(x: str) -> str:
            parts = [f"{x} {'>=' if lo_inc else '>'} {num(lo)}"] if lo is not None else []
            parts += [f"{x} {'<=' if hi_inc else '<'} {num(hi)}"] if hi is not None else []
            return " AND ".join(parts)

        outside = [f"NOT ({days} + 1 {'>=' if lo_inc else '>'} {num(lo)})"] if lo is not None else []
        outside += [f"NOT ({days} - 1 {'<=' if hi_inc else '<'} {num(hi)})"] if hi is not None else []
        surely = f"{start} IS NOT NULL AND {inside(f'({days} - 1)')} AND {inside(f'({days} + 1)')}"
        surely_not = f"{start} IS NOT NULL AND ({' OR '.join(outside)})"
        fits = self._sub(f"EXISTS (SELECT 1 FROM {table} t WHERE {' AND '.join(where)} AND {surely})")
        unsure = self._sub(f"EXISTS (SELECT 1 FROM {table} t WHERE {' AND '.join(where)} AND NOT ({surely}) AND NOT ({surely_not}))")
        return f"(CASE WHEN {fits} THEN TRUE WHEN {unsure} THEN NULL ELSE FALSE END)"

    def _applies(self, cond: Applicability) -> str:
        """``Matcher._applies`` as a SQL boolean (NULL: cannot tell)."""
        if isinstance(cond, ConceptCondition):
            cs = cond.concepts
            drug = "" if not cond.current else " AND (t.end_date IS NULL OR t.end_date >= p.as_of)"
            status = "" if not cond.current else f" AND (x.status IS NULL OR x.status IN {_in(_ACTIVE)})"
            on = self._sub(
                f"(EXISTS (SELECT 1 FROM elig_drug t WHERE t.person_id = p.person_id AND {self._in_set('t.concept_id', cs)}{drug}) "
                f"OR EXISTS (SELECT 1 FROM elig_cond x WHERE x.person_id = p.person_id AND {self._in_set('x.concept_id', cs)}{status}))")
            return on if cond.present else f"NOT {on}"
        if isinstance(cond, SexCondition):
            return f"CASE WHEN p.sex = 'unknown' THEN NULL ELSE p.sex = {lit(cond.sex)} END"
        if isinstance(cond, AgeCondition):
            age = self._age(ucum(cond.range.unit) or "a")
            return self._contains(age, cond.range) if age else "NULL"
        return "NULL"

    def verdict(self, c: AnyConstraint, crit: AnnotatedCriterion | None, crit_doubt: str | None = None) -> str:
        """``Matcher._outcome``'s verdict of ``c`` for person ``p``, as a SQL integer code; ``crit_doubt``:
        ``alternatives.criterion_doubt`` of ``crit``, computed once per criterion by the caller."""
        if isinstance(c, JudgementConstraint):
            return str(NOT_COMPUTABLE)
        if isinstance(c, ConditionConstraint | OtherConstraint) and absence_of_target(self.matcher.lexicon, c, self._targets):
            return str(UNKNOWN)  # the absence of the trial's own target: read before whether it applies
        cond = getattr(c, "applies_if", None)
        applies = self._applies(cond) if cond is not None else None
        arms = [f"WHEN NOT ({applies}) THEN {PASS}"] if applies is not None else []  # does not apply: passes
        r = self._read(c, crit)
        if r.holds is None:
            return f"CASE {arms[0]} ELSE {UNKNOWN} END" if arms else str(UNKNOWN)
        arms.append(f"WHEN ({r.holds}) IS NULL THEN {UNKNOWN}")
        if applies is not None:
            arms.append(f"WHEN ({applies}) IS NULL THEN {UNKNOWN}")
        ok = r.holds if c.effect == "include" else f"NOT ({r.holds})"
        arms.append(f"WHEN {ok} THEN {PASS}")
        if r.spared is not None:
            arms.append(f"WHEN {r.spared} THEN {UNKNOWN}")
        static = Matcher.doubt(c, _Reading(False, ""), crit.section if crit else None) or crit_doubt
        if static:
            return f"CASE {' '.join(arms)} ELSE {UNKNOWN} END"
        arms.append(f"WHEN {r.absent} THEN {UNKNOWN}")
        return f"CASE {' '.join(arms)} ELSE {FAIL} END"

    # -- per criterion, per trial ------------------------------------------------------------------------
    @staticmethod
    def combine(group: Group, section: str, col: dict[str, str]) -> str:
        """``evaluate.combine`` over SQL verdict codes (``col``: item id -> SQL expression)."""
        vs = [Cohort.combine(it, section, col) if isinstance(it, Group) else col.get(it, str(UNKNOWN)) for it in group.items]
        if not vs:
            return str(PASS)
        hi, lo = f"GREATEST({', '.join(vs)})", f"LEAST({', '.join(vs)})"
        exclusion = section == "exclusion"
        if group.op == GroupOp.ALL:
            return lo if exclusion else hi
        if group.op == GroupOp.ANY:
            return hi if exclusion else lo
        n = group.n or 1
        if exclusion:
            return _flip(_at_least([_flip(v) for v in vs], n))
        return _at_least(vs, n)

    def trial_sql(self, trial: ParsedTrial) -> str:
        """One SELECT: per person ``trial`` (its id), ``person_id``, ``verdict`` (eligible / ineligible / needs_review)
        and ``deciding`` (the failing criteria, else the open ones: ids separated by spaces)."""
        self._targets = frozenset(self.matcher.targets(trial))
        self._required = self.matcher.required(trial)
        self._anchors, self._subs = {}, {}
        children: dict[str, list[AnnotatedCriterion]] = {}
        for crit in trial.criteria:
            if crit.parent:
                children.setdefault(crit.parent, []).append(crit)
        cols: list[str] = []  # constraint verdicts: k0, k1, ...
        layers: list[list[str]] = []  # criterion verdicts by height: c0, c1, ...
        col_of: dict[str, str] = {}
        height: dict[str, int] = {}
        # a fail of a numeric inclusion with alternatives (``nlp.core.alternatives``) that the person
        # does not fail too is unknown, as ``Matcher`` withholds it: read from the column a{n}, not k{n}
        alt = trial_alternatives(trial)
        k_of: dict[str, str] = {}

        def column(c: AnyConstraint, crit: AnnotatedCriterion | None, crit_doubt: str | None = None) -> str:
            """The constraint's verdict column, and the name it is read by."""
            k_of[c.id] = name = f"k{len(cols)}"
            cols.append(f"{self.verdict(c, crit, crit_doubt)} AS {name}")
            return f"a{name[1:]}" if c.id in alt else name

        for crit in reversed(trial.criteria):  # children before parents
            doubt = criterion_doubt(crit)  # once per criterion: it compares the criterion's constraints pairwise
            local: dict[str, str] = {c.id: column(c, crit, doubt) for c in crit.constraints}
            kids = children.get(crit.id, [])
            for k in kids:
                local[k.id] = col_of[k.id]
            h = 1 + max((height[k.id] for k in kids), default=0)
            height[crit.id] = h
            expr = self.combine(crit.logic, crit.section, local) if crit.logic is not None else str(NOT_COMPUTABLE)
            name = f"c{sum(len(x) for x in layers)}"
            while len(layers) < h:
                layers.append([])
            layers[h - 1].append(f"{expr} AS {name}")
            col_of[crit.id] = name
        record = [(c.id, column(c, None)) for c in trial.record_constraints]
        withheld = [f"CASE WHEN {k_of[i]} = {FAIL} AND ({' OR '.join(f'{k_of[o]} <> {FAIL}' for o, _ in others)}) "
                    f"THEN {UNKNOWN} ELSE {k_of[i]} END AS a{k_of[i][1:]}" for i, others in alt.items()]
        top = [(crit.id, col_of[crit.id]) for crit in trial.criteria if crit.parent is None]
        fail = [f"CASE WHEN {col} = {FAIL} THEN {lit(i)} END" for i, col in top + record]
        open_ = ([f"CASE WHEN {col} IN ({NOT_COMPUTABLE}, {UNKNOWN}) THEN {lit(i)} END" for i, col in top]
                 + [f"CASE WHEN {col} = {UNKNOWN} THEN {lit(i)} END" for i, col in record])
        failing = " OR ".join(f"{col} = {FAIL}" for _, col in top + record) or "FALSE"
        opened = " OR ".join([f"{col} IN ({NOT_COMPUTABLE}, {UNKNOWN})" for _, col in top]
                             + [f"{col} = {UNKNOWN}" for _, col in record]) or "FALSE"
        # each layer a subquery that OFFSET 0 keeps whole: PostgreSQL would otherwise pull it up and
        # copy a verdict's expression, subqueries and all, into every place a criterion uses it
        # the correlated subqueries once each (a verdict uses its reading up to three times, and
        # planning them dominated: DuckDB spent 0.5 s a trial decorrelating copies)
        src = "elig_person p"
        for made in (self._anchors, self._subs):
            if made:
                src = f"(SELECT p.*, {', '.join(f'{e} AS {n}' for e, n in made.items())} FROM {src} OFFSET 0) p"
        sql = "SELECT p.person_id, p.birth > p.as_of AS unborn" + "".join(f", {c}" for c in cols) + f" FROM {src}"
        if withheld:
            sql = f"SELECT w.*, {', '.join(withheld)} FROM ({sql} OFFSET 0) w"
        for i, layer in enumerate(layers):
            sql = f"SELECT v{i}.*, {', '.join(layer)} FROM ({sql} OFFSET 0) v{i}"
        deciding = (f"CASE WHEN {failing} THEN concat_ws(' ', {', '.join(fail)}) "
                    f"WHEN {opened} THEN concat_ws(' ', {', '.join(open_)}) ELSE '' END") if fail else "''"
        trial_id = trial.record.nct_id or trial.record.source
        # a birth date after the record's date: no patient the matcher reads (read_patient refuses it)
        return (f"SELECT {lit(trial_id)} AS trial, v.person_id, CASE WHEN v.unborn THEN 'needs_review' "
                f"WHEN {failing} THEN 'ineligible' WHEN {opened} THEN 'needs_review' ELSE 'eligible' END AS verdict, "
                f"CASE WHEN v.unborn THEN {lit(UNBORN)} ELSE {deciding} END AS deciding FROM ({sql} OFFSET 0) v ORDER BY v.person_id")


def _flip(v: str) -> str:
    return f"CASE {v} WHEN {PASS} THEN {FAIL} WHEN {FAIL} THEN {PASS} ELSE {v} END"


def _at_least(vs: Sequence[str], n: int) -> str:
    """``evaluate.at_least3`` over SQL verdict codes."""
    if len(vs) < n:
        return str(UNKNOWN)
    passed = " + ".join(f"CASE WHEN {v} = {PASS} THEN 1 ELSE 0 END" for v in vs)
    failed = " + ".join(f"CASE WHEN {v} = {FAIL} THEN 1 ELSE 0 END" for v in vs)
    rest = ", ".join(f"CASE WHEN {v} IN ({PASS}, {FAIL}) THEN -1 ELSE {v} END" for v in vs)
    return (f"CASE WHEN ({passed}) >= {n} THEN {PASS} WHEN {len(vs)} - ({failed}) < {n} THEN {FAIL} "
            f"ELSE GREATEST({rest}) END")


@dataclass(frozen=True)
class PersonVerdict:
    person_id: int
    verdict: str
    deciding: tuple[str, ...]


def verdicts(con: Any, cohort: Cohort, trial: ParsedTrial) -> list[PersonVerdict]:
    """The trial's cohort query run on ``con`` (prepared by ``cohort.prepare``): per person its verdict."""
    rows = con.execute(cohort.trial_sql(trial)).fetchall()
    return [PersonVerdict(int(pid), v, tuple(d.split()) if d else ()) for _, pid, v, d in rows]


def run(con: Any, trials: Iterable[ParsedTrial], matcher: Matcher | None = None, as_of: dt.date | None = None,
        dialect: str = "duckdb") -> Iterator[tuple[ParsedTrial, list[PersonVerdict]]]:
    """Each trial's cohort over the warehouse behind ``con``: per person its verdict."""
    cohort = Cohort(matcher or Matcher())
    cohort.prepare(con, as_of, dialect)
    for trial in trials:
        yield trial, verdicts(con, cohort, trial)


def script(cohort: Cohort, rows: Sequence[tuple[int, str, bool]], trials: Iterable[ParsedTrial],
           as_of: dt.date | None = None, dialect: str = "duckdb") -> str:
    """The whole run as one SQL script, for the warehouse ``cohort`` was prepared on (``rows``:
    its concept map, as ``prepare`` gave it): the temporary tables, the concept map as INSERTs,
    then one query per trial. ``dialect``: duckdb, postgres, or any dialect sqlglot writes
    (transpiled from the PostgreSQL text; only DuckDB and PostgreSQL are tested on a server)."""
    engine = "postgres" if dialect == "postgres" else "duckdb"
    stmts = [*cohort.setup(as_of, engine), cohort.MAP_DDL]
    for i in range(0, len(rows), 500):
        stmts.append("INSERT INTO elig_concept_map VALUES " + ", ".join(
            f"({cid}, {lit(e)}, {'TRUE' if exact else 'FALSE'})" for cid, e, exact in rows[i:i + 500]))
    queries = [(t.record.nct_id or t.record.source, cohort.trial_sql(t)) for t in trials]
    if dialect not in ("duckdb", "postgres"):
        import sqlglot

        stmts = [sqlglot.transpile(s, read="postgres", write=dialect)[0] for s in stmts]
        queries = [(t, sqlglot.transpile(q, read="postgres", write=dialect)[0]) for t, q in queries]
    head = (f"-- elig cohort: OMOP CDM v5.4 cohort SQL ({dialect}); per trial one query giving per person\n"
            "-- verdict (eligible / ineligible / needs_review) and the deciding criteria. Written by elig\n"
            "-- for this warehouse: the concept map lists the concepts its clinical tables use.\n")
    return head + "".join(f"{s};\n" for s in stmts) + "".join(f"-- {t}\n{q};\n" for t, q in queries)
