"""The tokenizer every rule runs on: spaCy's French one, rebuilt faster (extractors/rules.py)."""
from __future__ import annotations

from pathlib import Path

import spacy

from extractors.rules import nlp

ROOT = Path(__file__).resolve().parents[1]
HYPHENS_AND_ELISIONS = [
    "le porte-parole du sous-préfet et le vice-président, après-midi, c'est-à-dire peut-être",
    "Aix-en-Provence, Bourgogne-Franche-Comté, Charles-Benoît, week-end, ci-joint",
    "l'État, d'étape, qu'aujourd'hui, jusqu'au 12/18 mois, n°3, Mme. et M. Dupont, est-ce",
    "anti-gaspillage, contre-proposition, non-respect, mi-parcours, mi-2021, ex-directeur",
]


def _lines() -> list[str]:
    lines = list(HYPHENS_AND_ELISIONS)
    for path in [*sorted((ROOT / "tests" / "corpus").glob("*.txt")),
                 *sorted((ROOT / "samples").rglob("*.txt"))]:
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines += [ln for ln in text.splitlines() if ln.strip()]
    return lines


def test_tokens_are_exactly_spacy_french_ones() -> None:
    french, ours = spacy.blank("fr"), nlp()
    lines = _lines()
    assert len(lines) > 2000
    differ = [ln for ln in lines if [t.text for t in french(ln)] != [t.text for t in ours(ln)]]
    assert differ == []
