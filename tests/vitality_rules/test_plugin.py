"""The rule system as the framework sees it: through the entry point, and its lazy kernel."""

from __future__ import annotations

import subprocess
import sys

import pytest

from balance.builds import parse_build
from balance.plugin_manager import Plugins


def test_registered_through_entry_point():
    rules = Plugins().rules("vitality")
    assert rules.plugin == "vitality"
    assert rules.check_build(parse_build("area + double_tap"), budget=6) == [
        "upgrade double_tap is not allowed on area attacks"
    ]
    assert rules.budget(4, "dual_natured") == 6


def test_kernel_is_imported_lazily():
    # Legality must not pay for (or break with) the numpy combat kernel.
    code = (
        "import sys, balance_rules.vitality.rules as r; from balance.builds import parse_build;"
        "r.VitalityRules().check_build(parse_build('ranged'));"
        "print('balance_rules.vitality.kernel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_kernel_passes_options():
    pytest.importorskip("balance_rules.vitality.kernel")
    from balance_rules.vitality.kernel import VitalityKernel
    from balance_rules.vitality.rules import VitalityRules

    kernel = VitalityRules().kernel({"armor_piercing_keeps_buff": False})
    assert isinstance(kernel, VitalityKernel)
    assert kernel.options == {"armor_piercing_keeps_buff": False, "compiled": True}
