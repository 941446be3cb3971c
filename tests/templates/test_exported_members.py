"""``__all__`` of the templates and migrate packages lists exactly their public names."""

from types import ModuleType

import pytest

import bpmn_bridge.migrate as migrate
import bpmn_bridge.templates as templates


@pytest.mark.parametrize("package", [templates, migrate], ids=lambda p: p.__name__)
def test_all_matches_public_names(package: ModuleType) -> None:
    public = {n for n in dir(package) if n.isidentifier() and not n.startswith("_")}
    assert set(package.__all__) == public
    for name in package.__all__:
        assert getattr(package, name) is not None
