"""Finds, loads, lists, disables and replaces plugins, and names the plugin behind any failure."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import attrs
import pluggy

from balance import hookspecs
from balance.errors import BalanceError, PluginError, UsageError

ENTRY_POINT_GROUP = "balance"

#: Component families: hook name -> the word used in messages.
FAMILIES = {
    "balance_rule_systems": "rule system",
    "balance_policies": "policy",
    "balance_scorings": "scoring",
    "balance_stages": "stage",
    "balance_stores": "store",
    "balance_reporters": "reporter",
    "balance_executors": "executor",
}


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    source: str


@attrs.frozen
class Provided:
    """A component and the plugin that provided it."""

    obj: Any
    plugin: str


class Guarded:
    """Proxy that reports any exception of a component's methods as ``plugin NAME failed in ...``."""

    def __init__(self, obj: Any, plugin: str, family: str):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_plugin", plugin)
        object.__setattr__(self, "_family", family)

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._obj, attr)
        if not callable(value) or isinstance(value, type):
            return value
        where = f"{self._family} {getattr(self._obj, 'name', '?')}.{attr}"
        return _guarded_call(value, self._plugin, where)

    @property
    def unwrapped(self) -> Any:
        return self._obj

    @property
    def plugin(self) -> str:
        return self._plugin


def _guarded_call(fn, plugin: str, where: str):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (BalanceError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise PluginError(plugin, where, _describe(exc)) from exc

    return call


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Plugins:
    """The project's plugin manager: entry points, local plugins, blocking and component lookup."""

    def __init__(self, disable: Iterable[str] = (), load: Iterable[str | Path] = (), base_dir: Path | None = None):
        self.pm = pluggy.PluginManager("balance")
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self.disabled = sorted(set(disable))
        for name in self.disabled:
            self.pm.set_blocked(name)
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if self.pm.is_blocked(ep.name) or ep.name in self.info:
                continue
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginError(ep.name, "load", _describe(exc)) from exc
            dist = ep.dist
            self._register(module, ep.name, dist.name if dist else "?", dist.version if dist else "?", ep.value)
        for spec in load:
            self.load_local(spec, base_dir)
        known = set(self.info)
        unknown = [n for n in self.disabled if n not in known and not self._is_entry_point(n)]
        if unknown:
            raise UsageError(f'cannot disable unknown plugin "{unknown[0]}" (known: {", ".join(sorted(known))})')

    @staticmethod
    def _is_entry_point(name: str) -> bool:
        return any(ep.name == name for ep in entry_points(group=ENTRY_POINT_GROUP))

    def _register(self, module: Any, name: str, dist: str, version: str, source: str) -> None:
        self.pm.register(module, name=name)
        hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(module) or ()))
        self.info[name] = PluginInfo(name, dist, version, hooks, source)

    def load_local(self, spec: str | Path, base_dir: Path | None = None) -> None:
        """Load a plugin given as an importable module name, a ``.py`` file or a folder."""
        text = str(spec)
        path = Path(text)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if path.suffix == ".py" or path.is_dir() or "/" in text:
            if not path.exists():
                raise UsageError(f"plugin path {text} does not exist")
            if path.is_dir() and not (path / "__init__.py").exists():
                for file in sorted(path.glob("*.py")):
                    self._load_file(file)
                return
            self._load_file(path)
            return
        name = text
        if self.pm.is_blocked(name):
            return
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            raise PluginError(name, "load", _describe(exc)) from exc
        self._register(module, name, "local", getattr(module, "__version__", "-"), name)

    def _load_file(self, path: Path) -> None:
        target = path / "__init__.py" if path.is_dir() else path
        name = path.stem if path.is_file() else path.name
        if self.pm.is_blocked(name):
            return
        spec = importlib.util.spec_from_file_location(
            f"balance_local_plugin_{name}", target, submodule_search_locations=[str(path)] if path.is_dir() else None
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PluginError(name, "load", _describe(exc)) from exc
        self._register(module, name, "local", getattr(module, "__version__", "-"), str(path))

    # -- calling hooks ----------------------------------------------------------------------------

    def call_each(self, hook: str, **kwargs) -> list[tuple[str, Any]]:
        """Call ``hook`` on every plugin (registration order), naming the plugin if one raises."""
        out = []
        caller = getattr(self.pm.hook, hook)
        for impl in caller.get_hookimpls():
            args = {k: kwargs[k] for k in impl.argnames}
            try:
                result = impl.function(**args)
            except (BalanceError, KeyboardInterrupt):
                raise
            except Exception as exc:
                raise PluginError(impl.plugin_name, hook, _describe(exc)) from exc
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def components(self, hook: str) -> dict[str, Provided]:
        """Every component the enabled plugins provide through ``hook``, by name."""
        found: dict[str, Provided] = {}
        for plugin, objs in self.call_each(hook):
            for obj in objs:
                name = getattr(obj, "name", None)
                if not isinstance(name, str):
                    raise PluginError(plugin, hook, f"returned a {FAMILIES[hook]} without a name")
                if name in found:
                    raise UsageError(
                        f'{FAMILIES[hook]} "{name}" is provided by both plugins {found[name].plugin} and {plugin}; '
                        "disable one of them"
                    )
                found[name] = Provided(obj, plugin)
        return found

    def guarded_components(self, hook: str) -> dict[str, Guarded]:
        """Every component of ``hook`` by name, wrapped so that its failures name its plugin."""
        return {name: Guarded(p.obj, p.plugin, FAMILIES[hook]) for name, p in self.components(hook).items()}

    def component(self, hook: str, name: str) -> Any:
        """The component called ``name``, wrapped so that its failures name its plugin."""
        found = self.guarded_components(hook)
        if name not in found:
            available = ", ".join(sorted(found)) or "none"
            raise UsageError(f'unknown {FAMILIES[hook]} "{name}" (available: {available})')
        return found[name]

    def rules(self, name: str):
        return self.component("balance_rule_systems", name)

