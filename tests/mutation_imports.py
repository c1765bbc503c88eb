"""A pytest plugin for mutation testing only (``[tool.mutmut] pytest_add_cli_args`` loads it).

Installed, ``plugins/`` is ``balance_plugins`` and ``rules/`` is ``balance_rules`` (see setup.py).
mutmut copies ``plugins/`` and ``rules/`` into ``mutants/``, puts ``mutants/`` first on sys.path and
names each mutant after its file (``plugins.scoring.mean_turns.…``); the editable install would still
import the unmutated folders under the installed names. This finder makes ``balance_plugins.X`` the
very module object ``plugins.X`` (imported from ``mutants/``), so the engine's entry points, the tests
and the code itself all run the mutated copy, under the module name mutmut switches mutants by.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

ALIASES = {"balance_plugins": "plugins", "balance_rules": "rules"}


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        head, dot, rest = fullname.partition(".")
        if head not in ALIASES:
            return None
        real = importlib.import_module(ALIASES[head] + dot + rest)
        spec = importlib.util.spec_from_loader(fullname, self, is_package=hasattr(real, "__path__"))
        spec.loader_state = (real, real.__spec__)
        return spec

    def create_module(self, spec):
        return spec.loader_state[0]

    def exec_module(self, module):
        # the import system stamped the alias's spec on the shared module: give it its own back
        module.__spec__ = module.__spec__.loader_state[1]


def _install() -> None:
    stale = [name for name in sys.modules if name.partition(".")[0] in ALIASES]
    if stale:
        raise RuntimeError(f"{stale[0]} was imported before the mutation aliases were installed")
    sys.meta_path.insert(0, AliasFinder())


_install()
