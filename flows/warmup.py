"""Loading what every document needs, once, while Prefect's server boots in its own process."""
from __future__ import annotations


def warm_up_extractors() -> None:
    """Load the tokenizer, the matchers and the French word list before the flow starts."""
    from extractors.normalise import french_words
    from extractors.rules import RULES, matcher, nlp

    nlp()
    for name in RULES:
        matcher(name)
    french_words()
