"""Split eligibility text into sections and a tree of criteria, keeping exact offsets.

Every non-space character of the text ends in a section header or in exactly one top-level
criterion; children lie inside their parent's span and do not overlap each other.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from nlp.core.knowledge import cue
from nlp.criteria.model import CriteriaSplit, Criterion, Header
from nlp.textutil import Section, header_title, lines_with_offsets, match_header, unescape_markdown

_ROMAN = r"(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3}|I{1,3}|IV|VI{0,3}|IX|XI{0,3})"
_MARKER = re.compile(
    r"(?P<m>"
    r"[*+•·‣◦▪●○■□➢►▸✓✔-](?=\s)"  # bullets followed by space
    r"|[•·-](?=[A-Za-z(])"  # "-Medical history", "•Age"
    r"|\d{1,2}(?:\.\d{1,2})+\.?(?=\s)"  # outline "1.1", "2.3.1."
    r"|\(\d{1,3}\)|\d{1,3}[.)](?=\s)|\d{1,3}\.(?=[A-Z])|\d{1,3}\s*、"
    rf"|\({_ROMAN}\)|{_ROMAN}[.)](?=\s)"
    r"|\([A-Za-z]\)|[A-Za-z][.)](?=\s)"
    r")"
)
_LOWER_START = re.compile(r"[a-z]")
_CONT_START = re.compile(r"(?:[<>≤≥=)\]},;%/&]|(?:and|or|and/or|but|than|with|of)\b)")
# a line stopping on a joining word or sign goes on on the next; not an item ending on a grade
# letter ("Frankel A"), on "and so on", or on a test result's "+" ("HIV+", "Tumor Markers +")
_CONT_END_WORD = re.compile(
    r"(?:\b(?:and|or|of|the|with|to|in|for|(?-i:a|an)|than|at|by|is|are|as|from|(?<!\bso\s)on|including|"
    r"between|per|no|not|be|any|other|who|which|that|e\.g\.|i\.e\.)|[(\-/&])$",
    re.I,
)
_SPACE = " \t\u00a0\u3000\u2002\u2003\u2009\f\v"


@dataclass(eq=False)
class _Node:
    section: Section
    start: int  # marker or text start
    text_start: int
    end: int  # end of own content
    indent: int
    mtype: str | None  # None: unmarked line
    value: str | None
    marker: str | None
    parent: _Node | None
    last_line: str
    first_line: str = ""
    children: list[_Node] = field(default_factory=list)
    group: str | None = None

    @property
    def lead_in(self) -> bool:
        """The line introduces sub-criteria: it ends with ":" or on "the following" and its noun
        without one ("... with one of the following methods", cue ``following_lead_in``)."""
        line = self.last_line.rstrip()
        return line.endswith(":") or cue("following_lead_in").search(line) is not None


def _marker_type(marker: str, stack: list[_Node]) -> tuple[str, str]:
    """(type, value) of a list marker, e.g. "1." -> ("num.", "1"), "(b)" -> ("(alpha)", "b")."""
    m = marker.strip()
    if m[0] in "*+•·‣◦▪●○■□➢►▸✓✔-":
        return m[0], ""
    if "、" in m:
        return "num、", m.rstrip("、 ")
    if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})+\.?", m):
        parts = m.rstrip(".").split(".")
        return f"outline{len(parts)}", parts[-1]
    wrapped = m.startswith("(")
    core = m.strip("().")
    punct = "()" if wrapped else m[-1]

    def typed(kind: str) -> str:
        return f"({kind})" if wrapped else f"{kind}{punct}"

    if core.isdigit():
        return typed("num"), core
    is_roman = re.fullmatch(_ROMAN, core) is not None
    if is_roman and len(core) == 1:
        # "i." after "h." is a letter; "v." after "u." too.
        prev = chr(ord(core) - 1)
        for node in stack:
            if node.mtype == typed("alpha" if core.islower() else "ALPHA") and node.value == prev:
                is_roman = False
    if is_roman:
        return typed("roman" if core.islower() else "ROMAN"), core
    return typed("alpha" if core.islower() else "ALPHA"), core


def _follows(prev: str | None, value: str | None) -> bool:
    """Whether the list marker value ``value`` comes right after ``prev`` ("1" then "2", "a" then
    "b"; bullets, which have no value, always follow)."""
    if prev is None or value is None:
        return False
    if not prev and not value:
        return True
    if prev.isdigit() and value.isdigit():
        return int(value) == int(prev) + 1
    return len(prev) == len(value) == 1 and prev.isalpha() and ord(value) == ord(prev) + 1


def _is_first(mtype: str, value: str | None) -> bool:
    if value is None:
        return False
    if not value:  # bullets
        return True
    return value.lower() in {"1", "a", "i"}


_TERMINAL = (".", ";", "!", "?", "\uff1b", "\u3002", "\uff01", "\uff1f")


def _is_continuation(prev: str, cur: str, item_first_line: str, width: int | None = None,
                     block: tuple[int, int] | None = None) -> bool:
    """Does the unmarked line ``cur`` continue the item whose last line is ``prev``?

    Registry text of the classic era often wraps long items; a wrapped line starts in lower
    case or with an operator, or the previous line stops on a joining word. Parallel items that
    start alike ("a patient who ...") and tokens such as "eGFR", "hCG" start new items. A line
    ending on a comma or followed by one in lower case is wrapped only when the next word would
    not have fitted on it: on ``width``, the text's longest unmarked line when three or more reach
    within ten characters of it (the text is wrapped to that length), else on the longest line
    near it when ``block`` (that length, and how many lines near it reach within ten characters of
    it) says the lines there are wrapped to one length ("... such as narcotics" / "females of
    childbearing age who ...", among lines of every length, are two items).
    """
    prev = prev.rstrip()
    if not prev or prev.endswith((":", "\uff1a")):
        return False
    if _CONT_END_WORD.search(prev):
        return True
    if prev.endswith(_TERMINAL):
        return False
    if len(prev) >= 60 and _WRAP_REMAINDER.fullmatch(cur):
        return True  # a sentence's last words: "... will not be eligible for the present" / "study:"
    if block is not None:
        reach = len(prev) + 1 + len(cur.split(maxsplit=1)[0] if cur.split() else "")
        if width is not None:
            fitted = reach <= width
        else:
            fitted = not (block[1] >= 3 and len(prev) >= block[0] - 10 and reach > block[0])
        if fitted:
            return bool(_CONT_START.match(cur))  # the next word fitted: the break was the writer's
    if prev.endswith(","):  # "..., \n" wraps a long sentence, but ends short list items
        return len(prev) >= 60
    if _CONT_START.match(cur):
        return True
    if not _LOWER_START.match(cur) or _MIXED_CASE_TOKEN.match(cur):
        return False
    if cur.split()[:2] == item_first_line.split()[:2]:
        return False
    return len(prev) >= 60


def _wraps(prev: str, cur: str) -> bool:
    """The line ``cur`` reads on from ``prev`` whatever lies between: it starts in lower case or
    with an operator, or ``prev`` stops on a joining word."""
    return bool(_CONT_END_WORD.search(prev.rstrip()) or _CONT_START.match(cur) or _LOWER_START.match(cur))


_MIXED_CASE_TOKEN = re.compile(r"[a-z]+[A-Z0-9]")
# the last words of a wrapped sentence: at most three, in lower case, ending it ("study:", "testing.")
_WRAP_REMAINDER = re.compile(r"[a-z][\w-]*(?:\s+[\w-]+){0,2}\s*[.:]")


def _indent_of(line: str) -> int:
    width = 0
    for ch in line:
        if ch == "\t":
            width += 4
        elif ch in _SPACE:
            width += 1
        else:
            break
    return width


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.section: Section = "unspecified"
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.headers: list[Header] = []
        self.blank_before = False  # a blank line came before the line being placed
        self.closed: list[_Node] = []  # the items of the lists paragraphs ended, which numbering may resume
        # wrap widths (a wrapped line is one the next word did not fit): the text's, its longest
        # unmarked line; and around each line (by its start), the longest unmarked line among it
        # and the four either side, with how many of them reach within ten characters of it (a
        # text may wrap one part and not another; a wrapped part has lines of one length)
        self.lines = lines_with_offsets(text)  # read once: the widths here, the placement in ``run``
        rows = [(start, len(t) if not _MARKER.match(t) else 0) for start, _end, line in self.lines
                if (t := line.strip(_SPACE + "\r\n"))]
        width = max((n for _, n in rows), default=0)
        self.width = width if sum(n >= width - 10 for _, n in rows) >= 3 else None  # the text is wrapped to one length
        self.blocks: dict[int, tuple[int, int]] = {}
        for i, (start, _) in enumerate(rows):
            near = [n for _, n in rows[max(0, i - 4):i + 5]]
            self.blocks[start] = (max(near), sum(n >= max(near) - 10 for n in near))

    # -- placement -------------------------------------------------------------------------
    def _attach(self, node: _Node, parent: _Node | None) -> None:
        node.parent = parent
        (parent.children if parent else self.roots).append(node)
        # the stack becomes the path to this node
        path: list[_Node] = []
        p = parent
        while p is not None:
            path.append(p)
            p = p.parent
        self.stack = [*list(reversed(path)), node]

    def add_marked(self, node: _Node) -> None:
        stack = self.stack
        while stack and stack[-1].indent > node.indent + 1:
            stack.pop()
        for k in range(len(stack) - 1, -1, -1):
            other = stack[k]
            if other.mtype == node.mtype and abs(other.indent - node.indent) <= 1:
                self._attach(node, other.parent)
                return
        for other in reversed(self.closed):  # "1) ...", a paragraph, then "2) ...": the list resumes
            if (other.parent is None and other.mtype == node.mtype and _follows(other.value, node.value)
                    and abs(other.indent - node.indent) <= 1):
                self.closed = self.closed[: self.closed.index(other)]
                self._attach(node, other.parent)
                return
        top = stack[-1] if stack else None
        if top is None:
            self._attach(node, None)
        elif node.indent > top.indent + 1 or top.lead_in:
            self._attach(node, top)
        elif top.mtype is not None and _is_first(node.mtype or "", node.value):
            self._attach(node, top)  # "1. ..." then "a. ..." opens a sub-list
        else:
            self._attach(node, top.parent)

    def add_unmarked(self, node: _Node) -> bool:
        """Place an unmarked line; returns False if it was merged into the previous item."""
        top = self.stack[-1] if self.stack else None
        if top is None:
            self._attach(node, None)
            return True
        content = self.text[node.text_start : node.end]
        if (self.blank_before and top.mtype is not None and not top.lead_in and node.indent <= top.indent
                and not _wraps(top.last_line, content)):
            # a paragraph after a blank line, indented no further than the item's marker, ends
            # the list (Markdown's rule; a continuation paragraph is indented to the item's text),
            # unless it is a broken wrap ("1.5 times" / "institutional upper limit of normal")
            self.closed += [n for n in self.stack if n.mtype is not None and n not in self.closed]
            self._attach(node, None)
            return True
        block = self.blocks.get(self.text.rfind("\n", 0, node.text_start) + 1)
        if _is_continuation(top.last_line, content, top.first_line or top.last_line, self.width, block):
            self._extend(top, node)
            return False
        if top.lead_in:
            self._attach(node, top)
            return True
        if top.mtype is not None:
            # Unmarked paragraph after a bullet / numbered item: it continues that item.
            self._extend(top, node)
            return False
        # Unmarked item after unmarked item: sibling; a new lead-in closes the previous one.
        parent = top.parent
        if parent is not None and node.lead_in and parent.mtype is None:
            parent = parent.parent
        self._attach(node, parent)
        return True

    @staticmethod
    def _extend(top: _Node, node: _Node) -> None:
        if not top.first_line:
            top.first_line = top.last_line
        top.end = node.end
        top.last_line = node.last_line

    # -- main loop -------------------------------------------------------------------------
    def run(self) -> None:
        for start, _end, line in self.lines:
            stripped = line.strip(_SPACE + "\r\n")
            if not stripped:
                self.blank_before = True
                continue
            lead = len(line) - len(line.lstrip(_SPACE))
            pos = start + lead
            content_line = line[lead:].rstrip(_SPACE)
            hm = match_header(content_line)
            if hm is not None:
                head_text = content_line[: hm.end].rstrip(_SPACE)
                self.headers.append(Header(section=hm.section, text=head_text, start=pos, end=pos + len(head_text)))
                self.section = hm.section
                self.stack = []
                self.closed = []
                rest = content_line[hm.end :]
                rest_lead = len(rest) - len(rest.lstrip(_SPACE))
                if not rest.strip(_SPACE):
                    continue
                pos = pos + hm.end + rest_lead
                content_line = rest[rest_lead:]
                lead = 0
            self._add_line(pos, pos + len(content_line), content_line, _indent_of(line))
            self.blank_before = False

    def _add_line(self, pos: int, end: int, content: str, indent: int) -> None:
        m = _MARKER.match(content)
        if m:
            marker = m.group("m")
            after = content[m.end() :]
            text_off = m.end() + (len(after) - len(after.lstrip(_SPACE)))
            if text_off >= len(content):  # a marker alone on its line: the item text follows
                text_off = len(content)
            mtype, value = _marker_type(marker, self.stack)
            if mtype in ("num.", "num)") and (cut := _inline_items(content, text_off, value, mtype[-1])):
                # "1. Informed consent. 2. Any patient that ...": the items numbered on after it on
                # its line are its siblings
                self._add_line(pos, pos + len(content[:cut].rstrip(_SPACE)), content[:cut].rstrip(_SPACE), indent)
                self._add_line(pos + cut, end, content[cut:], indent)
                return
            node = _Node(self.section, pos, pos + text_off, end, indent, mtype, value, marker, None, content)
            self.add_marked(node)
        else:
            node = _Node(self.section, pos, pos, end, indent, None, None, None, None, content)
            self.add_unmarked(node)


def _inline_items(content: str, text_off: int, value: str | None, punct: str) -> int | None:
    """Where the next item starts on a line numbered ``value`` that numbers the items after it
    inline ("1. Informed consent. 2. Any patient ...", "8. PRA screening positive 9. Elevated
    LFT's ..."): the offset of the next number ("2."), written alike, before a capital, outside
    brackets and not after a comparator, a number or a word a number belongs to ("ECOG ≤ 2. The",
    "grade 2. Patients"; cues ``inline_item_number``, ``inline_number_not_after``); None if there
    is none."""
    if value is None or not value.isdigit():
        return None
    want = str(int(value) + 1)
    depth = 0
    last = text_off
    for m in cue("inline_item_number").finditer(content, text_off):
        for ch in content[last:m.start()]:
            depth += ch in "([{"
            depth -= ch in ")]}" and depth > 0
        last = m.start()
        if (m.group("n") == want and m.group("p") == punct and not depth
                and not cue("inline_number_not_after").search(content[text_off:m.start()])):
            return m.start()
    return None


# the ";" of an HTML character reference ("ejection fraction &lt; 30%"), or of one a registry spaced
# ("Cr & GT; Normal 1.5 times"), ends no clause
_CHAR_REF = re.compile(r"&(?:[a-zA-Z]{2,8}|#[0-9]{1,6}|#x[0-9a-fA-F]{1,6}|\s?(?i:[gl][te]))$")


def _split_clauses(text: str) -> list[tuple[int, int]]:
    """Spans of ";"-separated independent clauses (outside brackets); [] if not a list."""
    if ";" not in text:
        return []
    spans: list[tuple[int, int]] = []
    depth = 0
    seg_start = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif ch == ";" and depth == 0 and not _CHAR_REF.search(text, max(0, i - 10), i):
            spans.append((seg_start, i + 1))
            seg_start = i + 1
    spans.append((seg_start, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        seg = text[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if sum(ch.isalpha() for ch in seg) >= 3:
            out.append((s + lead, s + trail))
        elif out:  # a stray tail (";", ".") joins the previous clause
            out[-1] = (out[-1][0], s + trail if trail else out[-1][1])
    return out if len(out) >= 2 else []


def split_criteria(text: str) -> CriteriaSplit:
    """Split eligibility text into headers and criteria (flat, in document order)."""
    builder = _Builder(text)
    builder.run()
    out: list[Criterion] = []
    counters: dict[str, int] = {}
    prefix = {"inclusion": "I", "exclusion": "E", "unspecified": "U"}

    def span_end(node: _Node) -> int:
        return max([node.end] + [span_end(c) for c in node.children])

    def emit(node: _Node, cid: str, depth: int, parent: str | None) -> None:
        own_end = node.end
        raw = text[node.text_start : own_end]
        un = unescape_markdown(raw)
        crit = Criterion(
            id=cid, section=node.section, text=un.text, start=node.start, end=span_end(node),
            text_start=node.text_start, marker=node.marker, parent=parent, depth=depth,
            escapes=un.removed, group=node.group,
        )
        out.append(crit)
        if node.children:
            for k, child in enumerate(node.children, start=1):
                emit(child, f"{cid}.{k}", depth + 1, cid)
            return
        for k, (s, e) in enumerate(_split_clauses(un.text), start=1):
            src_s, src_e = crit.source_span(s, e)
            piece = unescape_markdown(text[src_s:src_e])
            out.append(Criterion(
                id=f"{cid}.{k}", section=node.section, text=piece.text, start=src_s, end=src_e,
                text_start=src_s, parent=cid, depth=depth + 1, escapes=piece.removed, kind="clause",
                group=node.group,
            ))

    _unheaded_inclusions(builder)
    _groups(builder)
    for node in builder.roots:
        key = prefix[node.section]
        counters[key] = counters.get(key, 0) + 1
        emit(node, f"{key}{counters[key]}", 0, None)
    return CriteriaSplit(headers=tuple(builder.headers), criteria=tuple(out))


def _unheaded_inclusions(builder: _Builder) -> None:
    """A record with an exclusion header and no inclusion header lists its inclusions first,
    under no header or under a general one ("Enrollment criteria:", "ELIGIBILITY CRITERIA:"): the
    criteria before the first exclusion header are inclusions (they were "unspecified", never
    certain, and a patient lacking the target diagnosis was never turned away)."""
    sections = {h.section for h in builder.headers}
    if "inclusion" in sections or "exclusion" not in sections:
        return
    first = min(h.start for h in builder.headers if h.section == "exclusion")

    def mark(node: _Node) -> None:
        if node.section == "unspecified" and node.start < first:
            node.section = "inclusion"
            for child in node.children:
                mark(child)

    for node in builder.roots:
        mark(node)


def _groups(builder: _Builder) -> None:
    """A record whose inclusions come under headers of different titles ("Inclusion criteria:" and
    "MSC donor inclusion criteria", "Inclusion Criteria (PTA group)" and "(control group)", "1
    stage" and "2 stage") lists criteria per group of the trial: the criteria under a titled
    header of either section are those of its group (``Criterion.group``)."""
    titles = {h.start: header_title(h.text) for h in builder.headers if h.section in ("inclusion", "exclusion")}
    if len({titles[h.start] for h in builder.headers if h.section == "inclusion"}) < 2:
        return
    starts = [h.start for h in builder.headers]

    def mark(node: _Node, group: str) -> None:
        node.group = group
        for child in node.children:
            mark(child, group)

    for node in builder.roots:
        k = bisect_right(starts, node.start) - 1
        if k >= 0 and (title := titles.get(starts[k])):
            mark(node, title)


def coverage_problems(text: str, split: CriteriaSplit) -> list[str]:
    """Check the splitter's invariant; returns human-readable problems (empty when it holds).

    Every non-space character belongs to exactly one header or top-level criterion; every
    child lies inside its parent and siblings do not overlap; spans stay inside the text.
    """
    problems: list[str] = []
    owner = [0] * len(text)
    for h in split.headers:
        for i in range(h.start, h.end):
            owner[i] += 1
    by_id = {c.id: c for c in split.criteria}
    for c in split.criteria:
        if not (0 <= c.start <= c.text_start <= c.end <= len(text)):
            problems.append(f"{c.id}: span {c.start}-{c.end} outside the text")
            continue
        if c.parent is None:
            for i in range(c.start, c.end):
                owner[i] += 1
        else:
            p = by_id[c.parent]
            if not (p.start <= c.start and c.end <= p.end):
                problems.append(f"{c.id}: not inside parent {p.id}")
    siblings: dict[str | None, list[Criterion]] = {}
    for c in split.criteria:
        siblings.setdefault(c.parent, []).append(c)
    for group in siblings.values():
        for a, b in itertools.pairwise(group):
            if b.start < a.end:
                problems.append(f"{a.id} and {b.id} overlap")
    for i, ch in enumerate(text):
        if not ch.isspace() and owner[i] != 1:
            problems.append(f"char {i} {ch!r} owned {owner[i]} times")
            break
    return problems
