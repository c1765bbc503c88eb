"""Finds, loads, lists, disables and replaces plugins, and names the plugin behind any failure.

Hooks are called through pluggy (``pm.hook.NAME(...)``), so ``tryfirst``/``trylast`` and hook
wrappers take effect. Without them, plugins are called in load order: entry points by name, then
``[plugins] load`` and ``--plugin`` in the order given (they are registered in reverse, because
pluggy calls the last registered first).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
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
    "balance_comparers": "comparer",
}


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    #: The file the plugin was loaded from.
    source: str
    #: ``entry point NAME = VALUE`` or ``--plugin`` / ``[plugins] load``.
    loaded_by: str


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
        object.__setattr__(self, "_calls", {})

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._obj, attr)
        if not callable(value) or isinstance(value, type):
            return value
        # A new wrapper per read cost about 5 us, and a stage reads build_cost once per build
        # (53,113 times). Keyed by what the attribute is now, so a method replaced later is
        # wrapped anew.
        key = (attr, getattr(value, "__func__", value), getattr(value, "__self__", None))
        call = self._calls.get(key)
        if call is None:
            where = f"{self._family} {getattr(self._obj, 'name', '?')}.{attr}"
            call = self._calls[key] = _guarded_call(value, self._plugin, where)
        return call

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


class _Manager(pluggy.PluginManager):
    def parse_hookimpl_opts(self, plugin: Any, name: str):
        """Like pytest with ``pytest_*``: a ``balance_*`` function is a hook implementation even without
        ``@hookimpl``, so that a misspelt or unmarked one is reported by ``check_pending`` instead of
        being ignored."""
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("balance_") and inspect.isroutine(getattr(plugin, name, None)):
            return {}
        return opts


@attrs.frozen
class _Loaded:
    name: str
    module: Any
    distribution: str
    version: str
    loaded_by: str


class Plugins:
    """The project's plugin manager: entry points, local plugins, blocking and component lookup.

    A plugin has one name however it is loaded: its entry point's name when an installed
    distribution declares one for that module, otherwise the module's import name (a file
    ``my_grid.py`` is ``my_grid``; ``pkg/plugin.py`` inside package ``pkg`` is ``pkg.plugin``).
    """

    def __init__(self, disable: Iterable[str] = (), load: Iterable[str | Path] = (), base_dir: Path | None = None):
        self.pm = _Manager("balance")
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self.disabled = sorted(set(disable))
        for name in self.disabled:
            self.pm.set_blocked(name)
        self._entry_points = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
        #: module name -> entry point name, so that a module loaded by path or name keeps that name
        self._ep_names = {ep.module: ep.name for ep in self._entry_points}
        self._loaded: dict[str, _Loaded] = {}
        #: component families already asked for (hook -> name -> component): once per session
        self._components: dict[str, dict[str, Provided]] = {}
        self._returned: list[tuple[str, Any]] = []
        for ep in self._entry_points:
            if self.pm.is_blocked(ep.name) or ep.name in self._loaded:
                continue
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginError(ep.name, "load", _describe(exc)) from exc
            dist = ep.dist
            self._add(_Loaded(ep.name, module, dist.name if dist else "?", dist.version if dist else "?",
                              f"entry point {ep.name} = {ep.value}"))
        for spec in load:
            self.load_local(spec, base_dir)
        known = set(self._loaded)
        unknown = [n for n in self.disabled if n not in known and n not in {ep.name for ep in self._entry_points}]
        if unknown:
            raise UsageError(f'cannot disable unknown plugin "{unknown[0]}" (known: {", ".join(sorted(known))})')
        infos = {loaded.name: self._register(loaded) for loaded in reversed(self._loaded.values())}
        self.info = {name: infos[name] for name in self._loaded}
        self._check_pending()

    # -- loading ----------------------------------------------------------------------------------

    def _add(self, loaded: _Loaded) -> None:
        """Queue a loaded plugin; the same module loaded twice (entry point and path) counts once."""
        before = self._loaded.get(loaded.name)
        if before is not None:
            if _same_module(before.module, loaded.module):
                return
            raise UsageError(
                f'two plugins are named "{loaded.name}": {_where(before.module)} and {_where(loaded.module)}; '
                f"disable one (--disable-plugin {loaded.name}) or rename it"
            )
        self._loaded[loaded.name] = loaded

    def _register(self, loaded: _Loaded) -> PluginInfo:
        module, name = loaded.module, loaded.name
        try:
            self.pm.register(module, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(name, "load", " ".join(str(exc).split())) from exc
        callers = self.pm.get_hookcallers(module) or ()
        # pluggy returns one flat list per call; messages must still name the plugin behind each
        # component and each failure, so every implementation pluggy calls is wrapped to say so.
        for caller in callers:
            for impl in caller.get_hookimpls():
                if impl.plugin is module and not (impl.wrapper or impl.hookwrapper):
                    impl.function = self._attributed(impl.function, name, caller.name)
        return PluginInfo(
            name, loaded.distribution, loaded.version, tuple(sorted(c.name for c in callers)), _where(module),
            loaded.loaded_by,
        )

    def _attributed(self, function, plugin: str, hook: str):
        """The implementation as pluggy calls it, also noting which plugin returned which result
        (components keep their plugin's name for messages) and naming the plugin when it raises."""

        @functools.wraps(function)
        def call(*args, **kwargs):
            try:
                result = function(*args, **kwargs)
            except (BalanceError, KeyboardInterrupt):
                raise
            except Exception as exc:
                raise PluginError(plugin, hook, _describe(exc)) from exc
            if result is not None:
                self._returned.append((plugin, result))
            return result

        return call

    def _check_pending(self) -> None:
        """Every hook implementation must match a hook specification: a misspelt name is an error."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.pm.get_name(exc.plugin) or "?"
            specs = [n for n in dir(hookspecs) if n.startswith("balance_")]
            bad = sorted(
                caller.name for caller in self.pm.get_hookcallers(exc.plugin) or ()
                if not caller.has_spec()
            )
            hook = bad[0] if bad else "?"
            close = difflib.get_close_matches(hook, specs, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (hooks: {', '.join(specs)})"
            raise PluginError(name, "load", f'unknown hook "{hook}"{hint}') from exc

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
        name = self._ep_names.get(text, text)
        if self.pm.is_blocked(name):
            return
        try:
            module = importlib.import_module(text)
        except Exception as exc:
            raise PluginError(name, "load", _describe(exc)) from exc
        self._add(_Loaded(name, module, "local", getattr(module, "__version__", "-"), "--plugin / [plugins] load"))

    def _load_file(self, path: Path) -> None:
        module_name = import_name(path)
        name = self._ep_names.get(module_name, module_name)
        if self.pm.is_blocked(name):
            return
        target = path / "__init__.py" if path.is_dir() else path
        spec = importlib.util.spec_from_file_location(
            f"balance_local_plugin_{module_name}", target,
            submodule_search_locations=[str(path)] if path.is_dir() else None,
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PluginError(name, "load", _describe(exc)) from exc
        self._add(_Loaded(name, module, "local", getattr(module, "__version__", "-"), "--plugin / [plugins] load"))

    # -- calling hooks ----------------------------------------------------------------------------

    def call(self, hook: str, **kwargs) -> list[tuple[str, Any]]:
        """Call ``hook`` through pluggy and return every item of every returned list with the name of
        the plugin that returned it, in pluggy's order (``tryfirst`` first, wrappers applied). An
        item a hook wrapper put in is credited to the wrapper's plugin."""
        caller = getattr(self.pm.hook, hook)
        outer, self._returned = self._returned, []  # a hook may call another hook
        try:
            results = caller(**kwargs)
            returned = self._returned
        except (BalanceError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a hook wrapper raised (implementations are named by _attributed)
            raise PluginError(_culprit(exc, caller), hook, _describe(exc)) from exc
        finally:
            self._returned = outer
        by_id = {id(item): plugin for plugin, items in returned for item in items}
        wrappers = [i.plugin_name for i in caller.get_hookimpls() if i.wrapper or i.hookwrapper]
        fallback = wrappers[-1] if wrappers else "?"
        return [(by_id.get(id(item), fallback), item) for items in results for item in items]

    def call_each(self, hook: str, **kwargs) -> list[tuple[str, list[Any]]]:
        """:meth:`call`, grouped into runs of items from the same plugin: ``[(plugin, [item, ...])]``."""
        groups: list[tuple[str, list[Any]]] = []
        for plugin, item in self.call(hook, **kwargs):
            if groups and groups[-1][0] == plugin:
                groups[-1][1].append(item)
            else:
                groups.append((plugin, [item]))
        return groups

    def components(self, hook: str) -> dict[str, Provided]:
        """Every component the enabled plugins provide through ``hook``, by name (asked once)."""
        if hook in self._components:
            return self._components[hook]
        found: dict[str, Provided] = {}
        for plugin, obj in self.call(hook):
            name = getattr(obj, "name", None)
            if not isinstance(name, str):
                raise PluginError(plugin, hook, f"returned a {FAMILIES[hook]} without a name")
            if name in found:
                raise UsageError(
                    f'{FAMILIES[hook]} "{name}" is provided by both plugins {found[name].plugin} and {plugin}; '
                    "disable one of them"
                )
            found[name] = Provided(obj, plugin)
        self._components[hook] = found
        return found

    def guarded_components(self, hook: str) -> dict[str, Guarded]:
        """Every component of ``hook`` by name, wrapped so that its failures name its plugin."""
        return {name: Guarded(p.obj, p.plugin, FAMILIES[hook]) for name, p in self.components(hook).items()}

    def component(self, hook: str, name: str) -> Any:
        """The component called ``name``, wrapped so that its failures name its plugin."""
        found = self.components(hook)
        if name not in found:
            available = ", ".join(sorted(found)) or "none"
            raise UsageError(f'unknown {FAMILIES[hook]} "{name}" (available: {available})')
        return Guarded(found[name].obj, found[name].plugin, FAMILIES[hook])

    def rules(self, name: str):
        return self.component("balance_rule_systems", name)


def import_name(path: Path) -> str:
    """The dotted name a plugin file or package folder is imported as: its stem, prefixed by the
    packages (folders with ``__init__.py``) that contain it."""
    path = path.resolve()
    parts = [path.name if path.is_dir() else path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _where(module: Any) -> str:
    file = getattr(module, "__file__", None)
    return str(Path(file).resolve()) if file else getattr(module, "__name__", "?")


def _same_module(a: Any, b: Any) -> bool:
    return a is b or (getattr(a, "__file__", None) is not None and _where(a) == _where(b))


def _culprit(exc: BaseException, caller: Any) -> str:
    """The plugin whose hook implementation (or wrapper) is the innermost one in the traceback."""
    codes = {}
    for impl in caller.get_hookimpls():
        fn = inspect.unwrap(impl.function)
        codes[getattr(fn, "__code__", None)] = impl.plugin_name
    culprit = "?"
    tb = exc.__traceback__
    while tb is not None:
        culprit = codes.get(tb.tb_frame.f_code, culprit)
        tb = tb.tb_next
    return culprit
