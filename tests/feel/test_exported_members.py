"""``bpmn_bridge.feel.__all__`` lists exactly the public names, and they resolve."""

import bpmn_bridge.feel as feel


def test_all_matches_public_names() -> None:
    # pytest's assertion rewriting adds "@py_builtins" etc. to plugin packages; skip them.
    public = {name for name in dir(feel) if name.isidentifier() and not name.startswith("_")}
    assert set(feel.__all__) == public


def test_all_names_resolve() -> None:
    for name in feel.__all__:
        assert getattr(feel, name) is not None


def test_error_tree() -> None:
    assert issubclass(feel.FeelError, ValueError)
    assert issubclass(feel.FeelSyntaxError, feel.FeelError)
    assert issubclass(feel.FeelEvaluationError, feel.FeelError)
