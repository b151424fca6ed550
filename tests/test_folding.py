"""Text folding: the accent-, case- and spacing-free forms the extractors, `query` and
`correct` compare words in, whatever the script."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.folding import fold, strip_accents


def _unmarked(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_accents_are_stripped_exactly_as_unicode_decomposition_says(text: str) -> None:
    """Folding (searches, title matching, the word list's index) drops every combining mark:
    decompose, drop, recompose — whatever the script."""
    assert strip_accents(text) == unicodedata.normalize("NFC", _unmarked(text))
    assert strip_accents(text, recompose=False) == _unmarked(text)


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_what_people_type_is_folded_by_decomposition_case_and_apostrophe_only(text: str) -> None:
    """`query` and `correct` compare what is typed in this form: marks dropped, casefolded, `’`
    as `'`, and nothing else (spacing as typed)."""
    assert fold(text, typed=True) == _unmarked(text.replace("’", "'")).casefold()


def test_fold_ignores_case_accents_and_spacing() -> None:
    assert fold("  Élève  ÉCOLÉ ") == fold("eleve ecole") == "eleve ecole"
    assert fold("  Élève  ÉCOLÉ ", typed=True) == "  eleve  ecole "


def test_titles_fold_their_quotes_and_no_break_spaces() -> None:
    typographic = "Créer un « droit d’expérimentation » “partenariale”\u00a0 locale"
    plain = "creer un « droit d'experimentation » \"partenariale\" locale"
    assert fold(typographic, quotes=True) == plain
    assert fold(typographic) != plain  # extractors' text keeps its quotes
