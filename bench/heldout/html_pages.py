"""Whole held-out pages as HTML: measure pages and slides, strips, title slides, letters."""

from __future__ import annotations

import math
from html import escape

from bench.heldout import content
from bench.heldout.html_parts import css, ink_on, legend, measure_columns, measure_table, px


def strip(doc: dict, idxs: list[int]) -> str:
    """Returns the « Niveau d'avancement » strip: one numbered mark per measure, 1 or 2 rows."""
    st = doc["strip"]
    ms = [doc["measures"][i] for i in idxs]
    half = math.ceil(len(ms) / 2)
    rows = [ms] if st["rows"] == 1 or len(ms) < 4 else [ms[:half], ms[half:]]
    d, gap, npx = st["disc_px"], st["gap_px"], st["number_px"]
    radius = "50%" if st["shape"] == "disc" else "2px"
    html = []
    for row in rows:
        cells = []
        for k, m in enumerate(row):
            if m["status"] is None:  # a measure without a status: its place left empty
                colour, border = "transparent", ""
            else:
                colour = doc["style"]["palette"][m["status"]]
                border = f"border:1px solid {_darker(colour)};" if st["border"] else ""
            inside = (f'<span style="position:absolute;inset:0;display:flex;align-items:center;'
                      f'justify-content:center;font-size:{npx}px;font-weight:bold;'
                      f'color:{ink_on(colour) if m["status"] else "#111111"}">{escape(m["label"])}</span>'
                      if st["numbers"] == "inside" else "")
            disc = (f'<div style="position:relative;width:{d}px;height:{d}px;background:{colour};'
                    f'{border}border-radius:{radius};flex:none">{inside}</div>')
            num = (f'<div style="font-size:{npx}px;line-height:1.1;text-align:center;'
                   f'white-space:nowrap;margin:2px 0">{escape(m["label"])}</div>')
            margin = 0 if k == 0 else gap
            if st["numbers"] == "beside":
                cells.append(f'<div style="display:flex;align-items:center;gap:3px;'
                             f'margin-left:{margin}px">{num}{disc}</div>')
                continue
            above = num if st["numbers"] == "above" else ""
            under = num if st["numbers"] == "under" else ""
            cells.append(f'<div style="width:{d}px;margin-left:{margin}px;display:flex;'
                         f'flex-direction:column;align-items:center;flex:none">'
                         f'{above}{disc}{under}</div>')
        html.append(f'<div class="srow">{"".join(cells)}</div>')
    head = st["heading"].format(date=doc["as_of"])
    return f'<div class="strip"><div class="sh">{escape(head)}</div>{"".join(html)}</div>'


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) * 0.6 for i in (1, 3, 5))
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def _title_block(doc: dict, title: str, sub: str) -> str:
    h1 = f"<h1>{escape(title)}</h1>"
    top = f'<div class="bar">{h1}</div>' if doc["style"]["title_bar"] else h1
    return top + (f'<p class="sub">{escape(sub)}</p>' if sub else "")


def _foot(doc: dict, page_no: int) -> str:
    org = escape(doc.get("org", ""))
    return f'<div class="foot"><span>{org}</span><span>{page_no}</span></div>'


def _summary(doc: dict) -> str:
    counts: dict[str, int] = {}
    for m in doc["measures"]:
        if m["status"]:
            counts[m["status"]] = counts.get(m["status"], 0) + 1
    sm = doc["summary"]
    return content.summary_sentence(counts, sm["variant"], sm["words"])


def measures_page(doc: dict, page_no: int, page: dict) -> str:
    """Returns a page or slide of measures with its marks, strip, legend and summary."""
    groups = page["groups"]
    idxs = [i for g in groups for i in g]
    if doc["layout"] == "table":
        body = measure_table(doc, groups)
    else:
        body = measure_columns(doc, groups)
    place = doc["legend"]["place"] if page.get("legend") else None
    header = _title_block(doc, doc["page_title"], doc["page_sub"] if page_no == doc[
        "first_measure_page"] else "")
    if place == "top-box":
        header = (f'<div style="display:flex;gap:{px(doc, 1)};align-items:flex-start">'
                  f'<div style="flex:1">{header}</div>{legend(doc, True)}</div>')
    elif place == "top-row":
        header += legend(doc, False)
    parts = [header]
    st = strip(doc, idxs) if doc["layout"] == "strip" else ""
    if st and doc["strip"]["place"] == "top":
        parts.append(st)
    if place == "side":
        parts.append(f'<div style="display:grid;grid-template-columns:1fr auto;'
                     f'gap:{px(doc, 1)}"><div>{body}</div><div>{legend(doc, True)}</div></div>')
    else:
        parts.append(body)
    if st and doc["strip"]["place"] == "bottom":
        parts.append(st)
    if page.get("summary"):
        parts.append(f'<p class="summary">{escape(_summary(doc))}</p>')
    if place == "bottom-row":
        parts.append(f'<div style="margin-top:{px(doc, 0.8)}">{legend(doc, False)}</div>')
    elif place == "bottom-box":
        parts.append(f'<div style="display:flex;justify-content:flex-end;'
                     f'margin-top:{px(doc, 0.8)}">{legend(doc, True)}</div>')
    parts.append(_foot(doc, page_no))
    return f'<section class="page">{"".join(parts)}</section>'


def title_page(doc: dict, page_no: int) -> str:
    """Returns a deck's opening slide: mission title, date, organisation, decorative shapes."""
    theme = doc["style"]["theme"]
    shapes = "".join(
        f'<circle cx="{x}" cy="{y}" r="{r}" fill="{theme}" fill-opacity="{o}"/>'
        for x, y, r, o in doc["decor"])
    svg = (f'<svg style="position:absolute;right:0;top:0" width="420" height="700" '
           f'viewBox="0 0 420 700">{shapes}</svg>')
    return (f'<section class="page" style="justify-content:center">{svg}'
            f'<div style="max-width:62%"><h1 style="font-size:{px(doc, 2.6)}">'
            f'{escape(doc["mission_title"])}</h1><p class="sub">{escape(doc["page_sub"])}</p>'
            f'<p style="font-size:{px(doc, 1.3)};margin-top:{px(doc, 2)}">'
            f'Point d\'étape — {escape(doc["as_of"])}</p><p><b>{escape(doc["org"])}</b></p>'
            f'</div></section>')


def intro_page(doc: dict, page_no: int, page: dict) -> str:
    """Returns a synthesis page: prose, the work-streams list, maybe the summary sentence."""
    paras = "".join(f"<p>{escape(t)}</p>" for t in doc["filler"])
    streams = doc["streams"]
    items = "".join(f"<li>{escape(s)}</li>" for s in streams)
    summary = f'<p class="summary">{escape(_summary(doc))}</p>' if page.get("summary") else ""
    return (f'<section class="page">{_title_block(doc, "Synthèse", doc["mission_title"])}'
            f'{paras}<h2>{len(streams)} chantiers à conduire collectivement</h2><ol>{items}</ol>'
            f'{summary}{_foot(doc, page_no)}</section>')


def date_line(letter: dict) -> str:
    """Returns the letter's place and date line as printed."""
    style = letter["date_style"]
    date = content.format_date(letter["day"], letter["month"], letter["year"],
                               "numeric" if style == "numeric" else "long")
    if style == "no-le":
        return f"{letter['place']}, {date}"
    if style == "fait-a":
        return f"Fait à {letter['place']}, le {date}"
    return f"{letter['place']}, le {date}"


def letter_page(doc: dict, page_no: int, page: dict) -> str:
    """Returns a cover letter: letterhead, recipient, date, subject, salutation, body, signature."""
    lt = doc["letter"]
    theme = doc["style"]["theme"]
    logo = (f'<svg width="34" height="34" viewBox="0 0 34 34"><rect x="2" y="2" width="30" '
            f'height="30" rx="8" fill="{theme}"/><path d="M9 24 L17 9 L25 24 Z" fill="#fff"/>'
            f'</svg>')
    head = (f'<div>{logo}<div style="font-weight:bold;font-size:{px(doc, 1.35)};color:{theme}">'
            f'{escape(lt["sender_org"])}</div><div style="font-size:{px(doc, 0.85)};color:#555">'
            f'{"<br>".join(escape(a) for a in lt["sender_address"])}</div></div>')
    date = f'<p>{escape(date_line(lt))}</p>'
    rec_lines = [lt["recipient"], lt["recipient_org"], *lt["recipient_address"]]
    rec = "<br>".join(escape(x) for x in rec_lines)
    rec_block = (date if lt["date_place"] == "above-recipient" else "") + f"<p>{rec}</p>" + (
        date if lt["date_place"] == "below-recipient" else "")
    if lt["layout"] == "side-by-side":
        top = (f'<div style="display:flex;justify-content:space-between;gap:{px(doc, 2)}">'
               f'{head}<div style="max-width:48%">{rec_block}</div></div>')
    elif lt["layout"] == "stacked-right":
        top = f'{head}<div style="margin:{px(doc, 1.5)} 0 0 52%">{rec_block}</div>'
    else:
        top = f'{head}<div style="margin-top:{px(doc, 1.5)}">{rec_block}</div>'
    if lt["date_place"] == "left":
        top += date
    glue = "word-spacing:-0.3em;letter-spacing:-0.03em;" if lt["glued_salutation"] else ""
    body = "".join(f'<p style="text-align:justify">{escape(p)}</p>' for p in lt["body"])
    if page.get("summary"):
        body += f'<p style="text-align:justify">{escape(_summary(doc))}</p>'
    who = [f'<div><i>{escape(lt["sender_role"])}</i></div>']
    if lt["signatory"]:
        name = f'<div><b>{escape(lt["signatory"])}</b></div>'
        who = who + [name] if lt["role_above_name"] else [name] + who
    scribble = ('<svg width="120" height="36" viewBox="0 0 120 36"><path d="M4 26 C20 2, 30 34, '
                '46 14 S70 30, 84 10 S104 28, 116 8" stroke="#203060" stroke-width="2" '
                'fill="none"/></svg>')
    sign = (f'<div style="margin:{px(doc, 1.2)} 0 0 55%">{who[0]}{scribble}'
            f'{"".join(who[1:])}</div>')
    return (f'<section class="page">{top}<p style="margin-top:{px(doc, 1.2)}"><b>Objet :</b> '
            f'{escape(lt["subject"])}</p><p style="margin-top:{px(doc, 1)};{glue}">'
            f'{escape(lt["salutation"])}</p>{body}<p>{escape(lt["closing"])}</p>{sign}'
            f'</section>')


def document_html(doc: dict) -> str:
    """Returns the whole document as one HTML file, one section per printed page."""
    sections = []
    for k, page in enumerate(doc["pages"], start=1):
        kind = page["type"]
        if kind == "measures":
            sections.append(measures_page(doc, k, page))
        elif kind == "title":
            sections.append(title_page(doc, k))
        elif kind == "intro":
            sections.append(intro_page(doc, k, page))
        else:
            sections.append(letter_page(doc, k, page))
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>{css(doc)}'
            f'</style></head><body>{"".join(sections)}</body></html>')
