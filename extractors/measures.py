"""Measures: numbered titles under dimension headings, joined across wrapped lines."""
from __future__ import annotations

import itertools

from extractors.drafts import Draft, Section, fit_counts, infer_numbers, is_open, is_table_head
from extractors.headings import (
    is_heading,
    join_wrapped_headings,
    read_announced,
    read_dimension,
    read_horizon,
)
from extractors.layout import deinterleave_columns
from extractors.numbering import EXPLICIT_STYLES, NumberRead, read_number
from extractors.pagelines import (  # PageLine: extractors/letters.py imports it from here
    PageLine,
    ends_open,
    is_full,
    is_junk,
    is_legend_entry,
    is_summary,
    reads_on,
    starts_like_title,
    without_glyphs,
)
from extractors.rules import matches, parse_docs
from extractors.vocabulary import UPRIGHT_RULE_GLYPHS
from models.records import Measure

MEASURES_VERSION = "measures.v5"  # part of pipeline_version: bump when the measures found change
# (v5: a list paused by a legend row is taken up at its 2nd or 3rd title; no glyphs before a title)


def _column_number(pl: PageLine) -> int | None:
    read = read_number(pl.doc)
    return read.number if read and not is_junk(pl) else None


def extract_measures(lines: list[PageLine]) -> tuple[list[Measure], list[int]]:
    """Measures in document order, and the counts of measures that headings announce.

    A numbered list opens the measures after a dimension heading or a count of measures; in a
    document that has neither, yet reports progress (« Niveau d'avancement », a legend of the
    statuses), a numbered list (1, 2, 3 …) is its measures."""
    lines = join_wrapped_headings(_reading_order(lines))
    drafts, sections, announced = _drafts(lines, open_list=False)
    if not drafts and not announced and _reports_progress(lines):
        listed = _drafts(lines, open_list=True)
        if _a_list(listed[0]):
            drafts, sections, announced = listed
    drafts = fit_counts(drafts, sections, announced)
    return infer_numbers(drafts, sections), announced


def _a_list(drafts: list[Draft]) -> bool:
    """Three numbered lines or more, numbered from 1 upwards: a list, not a number that opens
    a sentence (« et 1 mesure remise en cause »)."""
    numbers = [d.number for d in drafts if d.number is not None]
    return (len(drafts) >= 3 and bool(numbers) and numbers[0] == 1
            and all(a < b for a, b in itertools.pairwise(numbers)))


def _reports_progress(lines: list[PageLine]) -> bool:
    """A progress heading, or a legend: two lines that open with a status label."""
    entries = 0
    for pl in lines:
        if is_junk(pl):
            continue
        if any(label == "PROGRESS" and s <= 2
               for label, s, _e in matches("section-heading.v2", pl.doc)):
            return True
        entries += read_number(pl.doc) is None and is_legend_entry(pl.doc)
    return entries >= 2


def _drafts(lines: list[PageLine], open_list: bool,
            ) -> tuple[list[Draft], list[Section], list[int]]:
    """The titles found in reading order, the sections they fall in, and the announced counts;
    `open_list`: numbered lines are measures from the first page on."""
    widths: dict[int, int] = {}
    for pl in lines:
        widths[pl.page] = max(widths.get(pl.page, 0), len(pl.line.text))
    drafts: list[Draft] = []
    sections: list[Section] = [Section(None, None)]
    announced: list[int] = []
    in_measures = open_list
    dimension: str | None = None
    horizon: tuple[int, int] | None = None
    current: Draft | None = None
    heading: list[str] = []  # a dimension heading whose horizon may follow on its next lines
    paused = False  # a legend stood between an announcement or a heading and more measures

    def finish() -> None:
        nonlocal current
        if current is not None and current.parts:
            drafts.append(current)
        current = None

    for pl in lines:
        doc = pl.doc
        if is_junk(pl) and not (current is not None and reads_on(pl) and (
                not pl.line.para_break or is_open(current)
                or is_full(current.parts[-1], widths))):
            continue  # junk, unless it carries on a title left open (`d'ici à` / `2025`)
        section = {label for label, s, _e in matches("section-heading.v2", doc) if s <= 2}
        dim = read_dimension(doc)
        numbered = read_number(doc)
        if heading and numbered is None and not dim and len(heading) <= 3:
            heading.append(pl.line.text)
            found = read_horizon(parse_docs([" ".join(heading)])[0])
            if found:  # the heading's horizon wrapped onto this line
                horizon = found
                for d in drafts:
                    if d.section == len(sections) - 1:
                        d.horizon = found
                heading = []
                continue
            if pl.line.text.lstrip("(«—–-: ")[:1].islower() or pl.line.text[:1].isdigit():
                continue  # the heading goes on (« aux premiers effets à 3/9 » / « mois) »)
        heading = []
        if is_summary(doc):
            finish()  # the summary ends the measures, or stands between the heading and them
            paused, in_measures = paused or in_measures, False
            continue
        if numbered is None and is_legend_entry(doc):
            if current is not None and _beside(current, pl):
                continue  # a status in its cell right of the title: the title goes on under it
            finish()  # a legend's label under the last measure is not part of its title
            continue
        if numbered is None and dim:
            finish()
            in_measures, paused, dimension, horizon = True, False, dim, read_horizon(doc)
            heading = [pl.line.text] if horizon is None else []
            sections.append(Section(read_announced(doc), dim))
            continue
        if numbered is None and "ANNOUNCE_MESURES" in section:
            finish()
            value = read_announced(doc)
            if value:
                announced.append(value)
            in_measures, paused, dimension, horizon = True, False, None, None
            continue
        if numbered is None and section & {"ANNOUNCE_OTHER"}:
            finish()  # « 4 chantiers … »: the numbered list that follows is not measures
            in_measures = False
            continue
        if numbered is None and section & {"LEGEND", "PROGRESS"} and len(doc) <= 10:
            finish()  # a legend or a strip ends a title; the measures may go on after it, or
            # begin after it: « Niveau d'avancement des mesures » heading a page of them
            names_them = "PROGRESS" in section and any(t.lower_ == "mesures" for t in doc)
            paused, in_measures = paused or in_measures or names_them, False
            continue
        if numbered is not None and paused and _resumes(numbered, drafts):
            in_measures, paused = True, False
        if numbered is not None and (in_measures or numbered.style in EXPLICIT_STYLES):
            finish()
            in_measures = True
            title_start = pl.line.text[numbered.offset:].lstrip(" .)—–-:|")
            current = Draft(page=pl.page, number=numbered.number, style=numbered.style,
                             dimension=dimension, horizon=horizon, section=len(sections) - 1,
                             parts=[pl], first_text=title_start, soft=numbered.soft,
                             prefix=numbered.prefix)
            continue
        if in_measures and (dimension is not None or announced) and starts_like_title(pl) and (
                current is None or not is_open(current)):
            finish()  # a title whose number was lost entirely: it opens with an infinitive
            current = Draft(page=pl.page, number=None, style="NUM_NONE", dimension=dimension,
                             horizon=horizon, section=len(sections) - 1, parts=[pl],
                             first_text=without_glyphs(pl))
            continue
        if in_measures and current is not None and (title := _row_below(current, pl)):
            finish()  # a row of the hanging-indented list whose number OCR mangled (« ice »)
            current = Draft(page=pl.page, number=None, style="NUM_LOST", dimension=dimension,
                             horizon=horizon, section=len(sections) - 1, parts=[pl],
                             first_text=title)
            continue
        if current is not None and _continues(current, pl):
            current.parts.append(pl)
            continue
        finish()
        if in_measures and dimension is not None and pl.line.text[:1].isupper() and (
                not is_table_head(pl.line.text)):
            current = Draft(page=pl.page, number=None, style="NUM_NONE", dimension=dimension,
                             horizon=horizon, section=len(sections) - 1, parts=[pl],
                             first_text=without_glyphs(pl), weak=True)
    finish()
    return drafts, sections, announced


def _reading_order(lines: list[PageLine]) -> list[PageLine]:
    """Legacy text of two columns read across the page is put back column by column."""
    out: list[PageLine] = []
    by_page: dict[int, list[PageLine]] = {}
    for pl in lines:  # one pass: linear in pages (a 200,000-page text is not quadratic)
        by_page.setdefault(pl.page, []).append(pl)
    for on_page in by_page.values():
        if any(pl.line.bbox is not None for pl in on_page):
            out.extend(on_page)
            continue
        out.extend(deinterleave_columns(
            on_page, number=_column_number, heading=is_heading,
            text=lambda pl: pl.line.text, para_break=lambda pl: pl.line.para_break,
            skip=is_junk, open_end=ends_open))
    return out


def _resumes(numbered: NumberRead, drafts: list[Draft]) -> bool:
    """After a legend inside the measures, a numbered line goes on with them when its number
    comes next (or starts them: 1), or next but one (the title between lost its number: a
    column's lower half read after the legend beside its upper half). Before any number, the
    list may start at 2 or 3: its first titles lost their numbers (a photo's corner read
    across the next column, « got immédiatement … »)."""
    last = next((d.number for d in reversed(drafts) if d.number is not None), None)
    return numbered.number in ((1, last + 1, last + 2) if last else (1, 2, 3))


def _beside(draft: Draft, pl: PageLine) -> bool:
    """A line standing right of every line of the title so far, level with its last line or
    just under it: a cell of the title's row (its status), not the title's next line."""
    last, box = draft.parts[-1].line.bbox, pl.line.bbox
    rights = [p.line.bbox[2] for p in draft.parts if p.line.bbox is not None]
    if last is None or box is None or pl.page != draft.page or not rights:
        return False
    height = max(1.0, last[3] - last[1])
    return box[0] > max(rights) and last[1] - height <= box[1] <= last[3] + height


def _row_below(draft: Draft, pl: PageLine) -> str | None:
    """The title of a line that opens the next row of a list set with a hanging indent — its
    numbers in a column, its titles' every line further right, as the row above shows — though
    OCR read no number in it (« ice inciter à croiser … » for « 17. Inciter … »): the line
    starts in the numbers' column with one short word, and its next word in the titles'.
    None for a line that carries on the title."""
    first, box = draft.parts[0].line, pl.line.bbox
    if draft.number is None or pl.page != draft.page or first.bbox is None or box is None:
        return None
    height = max(1.0, first.bbox[3] - first.bbox[1])
    label_x = first.bbox[0]
    title_x = _title_x(draft)
    words = [w for w in pl.line.words if w.bbox is not None]
    if title_x is None or title_x - label_x < 1.5 * height or len(words) < 3:
        return None
    if _number_dropped(pl):  # its number's glyphs were dropped: its words are the title's
        if box[0] < title_x - 0.6 * height:
            return None
        title = words
    elif (abs(box[0] - label_x) > 0.6 * height or len(words[0].text) > 4 or not (
            words[1].bbox is not None and abs(words[1].bbox[0] - title_x) <= 0.6 * height)):
        return None
    else:
        title = words[1:]  # after the mangled number
    if not (draft.parts[-1].line.bbox is not None
            and 0 <= box[1] - draft.parts[-1].line.bbox[3] <= 1.2 * height):
        return None  # right under the row above, as the list's rows follow each other
    return " ".join(w.text for w in title)


def _number_dropped(pl: PageLine) -> bool:
    """Whether the line, a block's first, opened as read with a short token of no letter nor
    digit (« >. » for « 2. ») that the repairs dropped as a stray glyph — a table's rule read as
    a glyph (« | ») excepted, which opens a title's further line as often."""
    raw, text = (pl.line.raw_text or "").split(), pl.line.text.split()
    return (pl.line.para_break and bool(raw) and bool(text) and raw[0] != text[0]
            and len(raw[0]) <= 3 and not any(c.isalnum() for c in raw[0])
            and not all(c in UPRIGHT_RULE_GLYPHS + "." for c in raw[0]))


def _title_x(draft: Draft) -> float | None:
    """Where the titles of a hanging-indented list start: the left of the row's next lines,
    which all stand clear right of its number (None when the row has a single line)."""
    lefts = [p.line.bbox[0] for p in draft.parts[1:] if p.line.bbox is not None]
    return min(lefts) if lefts else None


def _continues(draft: Draft, pl: PageLine) -> bool:
    if pl.page != draft.page:
        return False
    last = draft.parts[-1].line
    text = pl.line.text
    if pl.line.para_break and (text[:1].isupper() or text[:1].isdigit()) and not is_open(draft):
        return False
    if last.bbox is not None and pl.line.bbox is not None:
        height = max(1.0, last.bbox[3] - last.bbox[1])
        if pl.line.bbox[1] - last.bbox[3] > 1.2 * height:  # a gap: the title ended
            return False
        if pl.line.bbox[3] <= last.bbox[1]:  # back up the page: the next column's top
            return False
        if pl.line.bbox[0] < last.bbox[0] - 3 * height and not text[:1].islower():
            return False
    return True
