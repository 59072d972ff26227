"""Comparators: the canonical set and the flip that turns an exclusion into what the patient must
satisfy. (The comparator phrases the value grammar reads are in ``nlp/resources/comparators.json``.)"""

from __future__ import annotations

FLIP = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "present": "absent", "absent": "present"}
