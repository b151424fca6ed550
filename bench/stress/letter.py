"""Draws a cover letter page (A4 or slide) and the results page, and says what each one prints."""
from __future__ import annotations

import io
import random
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from bench.stress.compose import A4, DECK
from bench.stress.content import (
    CHANTIERS,
    LETTER_BODY,
    ORGS,
    PLACES,
    RECIPIENTS,
    SIGNATORIES,
    french_date,
)
from bench.stress.draw import Sheet, width, wrap


def draw_letter_fields(rng: random.Random, apostrophe: str, mission_title: str) -> dict[str, Any]:
    """Everything the letter prints, as printed (apostrophes in the document's style)."""
    org, org_address = rng.choice(ORGS)
    name, role = rng.choice(SIGNATORIES)
    recipient, rec_org, address, salutation = rng.choice(RECIPIENTS)
    printed_date, iso = french_date(rng)
    subject = rng.choice([
        f"Rapport d'étape à 6 mois de la mission « {mission_title} »",
        f"Transmission du rapport de suivi de la mission « {mission_title} »",
        "Rapport annuel de suivi des mesures",
    ])

    def a(s: str) -> str:
        return s.replace("'", apostrophe)

    return {"org": a(org), "org_address": a(org_address), "name": a(name), "role": a(role),
            "recipient": a(recipient), "recipient_org": a(rec_org),
            "address": [a(x) for x in address], "salutation": a(salutation),
            "place": rng.choice(PLACES), "date_printed": printed_date, "date": iso,
            "subject": a(subject), "body": [a(x.format(theme=mission_title)) for x in LETTER_BODY]}


def draw_letter(canvas: Any, p: dict[str, Any], f: dict[str, Any], fonts: tuple[str, str],
                summary: str | None, page_no: int) -> dict[str, Any]:
    """One letter page, its type shrunk until the signature fits; returns the letter's truth."""
    deck = p["format"] == "deck" and p["letter_deck"]
    pw, ph = DECK if deck else A4
    fs = 8.5 if deck else p["letter_pt"]
    while fs > 6.0:
        bottom = _letter_page(Canvas(io.BytesIO()), p, f, fonts, summary, fs, deck)
        if bottom <= ph - (20.0 if deck else p["margin"]):
            break
        fs -= 0.5
    p["letter_pt_used"] = fs
    canvas.setPageSize((pw, ph))
    _letter_page(canvas, p, f, fonts, summary, fs, deck)
    canvas.showPage()
    return {"page": page_no, "place": f["place"], "date": f["date"], "sender_org": f["org"],
            "sender_role": f["role"], "recipient": f["recipient"],
            "recipient_org": f["recipient_org"], "recipient_address": " ".join(f["address"]),
            "subject": f["subject"], "salutation": f["salutation"]}


def _letter_page(canvas: Any, p: dict[str, Any], f: dict[str, Any], fonts: tuple[str, str],
                 summary: str | None, fs: float, deck: bool) -> float:
    """Draws the letter at body size fs; returns where the signature ends."""
    font, bold = fonts
    pw, ph = DECK if deck else A4
    sh = Sheet(canvas, pw, ph)
    sh.rect(0, 0, pw, ph, (255, 255, 255))
    m = 36.0 if deck else p["margin"]
    lead = fs * 1.3
    # letterhead, top-left
    y = m
    if p["letter_logo"]:
        sh.disc(m + 12, y + 12, 12, p["deck_bar_rgb"])
        sh.rect(m + 6, y + 6, 12, 12, (255, 255, 255), radius=3)
        y += 30
    sh.text(m, y, f["org"], bold, fs + 4, (20, 30, 80))
    y += (fs + 4) * 1.4
    for line in wrap(f["org_address"], font, fs - 1, pw * 0.38):
        sh.text(m, y, line, font, fs - 1, (80, 80, 80))
        y += (fs - 1) * 1.3
    head_bottom = y
    # recipient block, right
    rx = pw * p["letter_rx"]
    rw = pw - m - rx
    ry = m + 4 if p["letter_side_by_side"] else head_bottom + (16 if deck else 36)
    lines = (wrap(f["recipient"], bold, fs, rw) + wrap(f["recipient_org"], font, fs, rw)
             + f["address"])
    n_bold = len(wrap(f["recipient"], bold, fs, rw))
    for k, line in enumerate(lines):
        sh.text(rx, ry + k * lead, line, bold if k < n_bold else font, fs)
    y = max(head_bottom, ry + len(lines) * lead) + (10 if deck else 22)
    date_line = f"{f['place']}, le {f['date_printed']}"
    if p["letter_date_right"]:
        sh.text_right(pw - m, y, date_line, font, fs)
    else:
        sh.text(rx, y, date_line, font, fs)
    y += lead * 2
    obj = "Objet : "
    ow = width(obj, bold, fs)
    sh.text(m, y, obj, bold, fs)
    for k, line in enumerate(wrap(f["subject"], font, fs, pw - 2 * m - ow)):
        sh.text(m + ow, y + k * lead, line, font, fs)
        y += lead
    y += lead
    if p["letter_glued_salutation"]:
        sh.text(m, y, f["salutation"], font, fs + 0.5, word_gap=fs * 0.04)
    else:
        sh.text(m, y, f["salutation"], font, fs)
    y += lead * 1.6
    paras = list(f["body"])
    if summary is not None:
        paras.insert(2, summary)
    closing = (f"Je vous prie d'agréer, {f['salutation'].rstrip(',')}, l'expression de ma "
               "haute considération.").replace("'", p["apostrophe"])
    for para in [*paras, closing]:
        for line in wrap(para, font, fs, pw - 2 * m):
            sh.text(m, y, line, font, fs)
            y += lead
        y += lead * 0.6
    sig = [f["role"], f["name"]] if p["letter_role_first"] else [f["name"], f["role"]]
    y += lead
    for k, line in enumerate(sig):
        sh.text(pw * 0.58, y + k * lead, line, bold if line == f["name"] else font, fs)
    return y + len(sig) * lead


def draw_results_page(canvas: Any, p: dict[str, Any], fonts: tuple[str, str], title: str,
                      reference: bool) -> None:
    """A page of programme structure: a numbered list that is not measures."""
    font, bold = fonts
    pw, ph = A4
    canvas.setPageSize((pw, ph))
    sh = Sheet(canvas, pw, ph)
    sh.rect(0, 0, pw, ph, (255, 255, 255))
    m = p["margin"]
    sh.text(m, m + 10, title, bold, 15, (20, 30, 80))
    items = CHANTIERS if reference else [
        "Un fonds d'amorçage pour les coopérations locales",
        "Une plateforme de partage des pratiques",
        "Un réseau de référents dans chaque région"]
    head = (f"{len(items)} chantiers à conduire collectivement" if reference
            else f"{len(items)} outils pour agir dès aujourd'hui")
    y = m + 50
    sh.text(m, y, head.replace("'", p["apostrophe"]), bold, 12)
    y += 26
    for k, it in enumerate(items, 1):
        sh.text(m + 10, y, f"{k}.", bold, 11)
        sh.text(m + 30, y, it.replace("'", p["apostrophe"]), font, 11)
        y += 20
    y += 20
    intro = ("La mission a conduit ses travaux en associant l'ensemble des parties prenantes. "
             "Les propositions sont présentées page suivante, avec leur niveau d'avancement.")
    for line in wrap(intro.replace("'", p["apostrophe"]), font, 10.5, pw - 2 * m):
        sh.text(m, y, line, font, 10.5)
        y += 14
    canvas.showPage()
