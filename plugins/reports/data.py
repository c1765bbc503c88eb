"""A run's small side tables as objects the reports use: attacks (labels, costs, enhancements),
solo scores, the confirmation ranking. Records themselves are never loaded here."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np


def records_key(ctx, stage: str) -> tuple:
    """Which records of ``stage`` a report reads: the run folder, the stage, whether corrupt shards
    are skipped and the stage's finish (time, record count); the key of the per-process caches of
    what reporters compute from them, so that a stage finished again is read again."""
    entry = ctx.run.summary().stages[stage]
    return (str(ctx.run.dir), stage, ctx.skip_corrupt, entry.finished, entry.records)


def _costs_from_rules(rules: Any) -> dict[str, tuple[str, int]]:
    """Enhancement -> (kind, base cost) from the rule system's catalog, when it exposes one.

    The reporter protocol knows nothing about catalogs, so this is duck-typed: a catalog with
    ``upgrades`` and ``limits`` as ``(name, cost)`` pairs or mappings (as the Vitality rules have)."""
    cat = getattr(rules, "catalog", None)
    out: dict[str, tuple[str, int]] = {}
    for kind, attr in (("upgrade", "upgrades"), ("limit", "limits")):
        items = getattr(cat, attr, None) or ()
        items = items.items() if hasattr(items, "items") else items
        for name, cost in items:
            out[str(name)] = (kind, int(cost))
    return out


@attrs.frozen
class Enhancements:
    """The enhancements that occur in an attack table, in a fixed order (upgrades, then limits,
    each by name), with kind and base cost (``None`` when the rule system does not say)."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    costs: tuple[int | None, ...]

    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.names)}

    def cost_array(self) -> np.ndarray:
        return np.array([np.nan if c is None else c for c in self.costs], dtype=np.float64)


_LOADED: dict[tuple, Any] = {}


@attrs.frozen
class Attacks:
    """A stage's ``attacks`` table: index -> build parts and cost."""

    ids: tuple[str, ...]
    types: tuple[str, ...]
    upgrades: tuple[tuple[str, ...], ...]
    limits: tuple[tuple[str, ...], ...]
    cost: np.ndarray
    enh: Enhancements

    @classmethod
    def load(cls, run, stage: str, rules: Any = None) -> Attacks:
        """The stage's attack table, read once per run, stage and catalog in this process: a
        stage's reporters each ask for it (stage 1's 53,113 builds took a third of a second
        every time)."""
        known = _costs_from_rules(rules)
        entry = run.summary().stages.get(stage)
        key = (str(run.dir), stage, getattr(entry, "finished", None), getattr(entry, "records", None),
               tuple(sorted(known.items())))
        if key not in _LOADED:
            while len(_LOADED) >= 4:  # bounded memory however many runs a process reports
                del _LOADED[next(iter(_LOADED))]
            _LOADED[key] = cls._read(run, stage, known)
        return _LOADED[key]

    @classmethod
    def _read(cls, run, stage: str, known: dict[str, tuple[str, int]]) -> Attacks:
        t = run.read_table(stage, "attacks")
        ups = tuple(tuple(u) for u in t["upgrades"])
        lims = tuple(tuple(x) for x in t["limits"])
        up_names = sorted({u for us in ups for u in us})
        lim_names = sorted({x for xs in lims for x in xs})
        names = tuple(up_names + lim_names)
        kinds = tuple(["upgrade"] * len(up_names) + ["limit"] * len(lim_names))
        costs = tuple(known[n][1] if n in known else None for n in names)
        cost = np.array(t["cost"], dtype=np.int64)
        cost.setflags(write=False)  # shared by every reporter that loads the table
        return cls(tuple(t["id"]), tuple(t["attack_type"]), ups, lims, cost, Enhancements(names, kinds, costs))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def type_names(self) -> tuple[str, ...]:
        """Attack types present, in order of first appearance (the rule system's enumeration order)."""
        return tuple(dict.fromkeys(self.types))

    def type_factors(self, rules: Any) -> np.ndarray:
        """Each attack type's cost factor (``type_names`` order) from the rule system's catalog,
        when it exposes ``type_factor`` (Vitality: 2 on the area types); 1 otherwise."""
        factors = getattr(getattr(rules, "catalog", None), "type_factor", None) or {}
        return np.array([factors.get(t, 1) for t in self.type_names], dtype=np.float64)

    def members(self) -> list[list[int]]:
        """Per attack, the indices (into ``enh.names``) of the enhancements it carries."""
        idx = self.enh.index()
        return [[idx[n] for n in (*u, *lim)] for u, lim in zip(self.upgrades, self.limits)]

    def type_members(self) -> list[list[int]]:
        """Per attack, member ids ``e * T + t``: enhancement e carried by an attack of type t."""
        types = {t: i for i, t in enumerate(self.type_names)}
        T = len(types)
        return [[e * T + types[t] for e in m] for m, t in zip(self.members(), self.types)]

    def label(self, i: int) -> str:
        """The canonical build text, e.g. ``melee_dg + power_attack [careful]``."""
        return self.ids[int(i)]

    def short(self, i: int) -> str:
        """Compact label for tables: ``melee_dg+power_attack [careful]``, never truncated."""
        i = int(i)
        text = "+".join([self.types[i], *self.upgrades[i]])
        if self.limits[i]:
            text += f" [{', '.join(self.limits[i])}]"
        return text

    def parts(self, i: int) -> str:
        """``melee_dg`` + ``power_attack`` [Limits: ``careful``] (Cost: 3p), for detail blocks."""
        i = int(i)
        text = f"`{self.types[i]}`"
        if self.upgrades[i]:
            text += " + " + ", ".join(f"`{u}`" for u in self.upgrades[i])
        if self.limits[i]:
            text += " [Limits: " + ", ".join(f"`{x}`" for x in self.limits[i]) + "]"
        return text + f" (Cost: {int(self.cost[i])}p)"


@attrs.frozen
class Solos:
    """Each stage-2 attack alone under the pairs' own conditions (table ``solos``)."""

    overall: np.ndarray
    se: np.ndarray
    timeouts: np.ndarray

    @classmethod
    def load(cls, run, name: str = "solos") -> Solos | None:
        if not run.has_table("stage2", name):
            return None
        t = run.read_table("stage2", name)
        return cls(np.asarray(t["overall"], float), np.asarray(t["se"], float), np.asarray(t["timeouts"]))


def load_confirmed(run) -> dict[str, np.ndarray] | None:
    """The confirmation ranking (table ``confirmed``) as arrays, rank order; ``None`` if absent."""
    if not run.has_table("stage2", "confirmed"):
        return None
    t = run.read_table("stage2", "confirmed")
    out = {k: np.asarray(v) for k, v in t.items() if isinstance(v, list | np.ndarray)}
    if "rank" in out:
        order = np.argsort(out["rank"], kind="stable")  # the table is rank-ordered; make sure
        out = {k: v[order] for k, v in out.items()}
    return out


def column_labels(reader, column: str) -> list[str]:
    """The labels of a shaped column (profile / buff / scenario names the run was made with)."""
    col = reader.schema.column(column)
    return list(col.labels) or [str(i) for i in range(col.width)]


def paid_cost(base: np.ndarray, type_counts: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Average points the carriers of each enhancement paid for it: its base cost times the cost
    factor of each carrier's attack type, weighted by how many carriers each type has."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return base * (type_counts * factors).sum(axis=1) / type_counts.sum(axis=1)
