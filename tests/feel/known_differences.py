"""Cases where ``bpmn_bridge.feel`` does not agree with Camunda's FEEL engine yet.

The differential test marks these ``xfail(strict=True)``: a listed case that starts to
agree fails the run until it is taken off, so this list only shrinks. Rewritten by
``python -m tests.feel.differential --write-known-differences``.
"""

KNOWN_DIFFERENCES: frozenset[str] = frozenset({})
