"""Build legality, cost and enumeration, generic over a point-buy catalog.

Nothing here knows the Vitality System: :class:`Catalog` holds only names, costs and rules, so
that property tests can check the enumerator against a brute force on random small catalogs, and
so that another point-buy game can reuse it. :mod:`balance_rules.vitality.rules` builds the
Vitality catalog from :mod:`balance_rules.vitality.catalog`.

Canonical order of :meth:`BuildRules.enumerate`: attack types in catalog order; within a type,
builds sorted by ``(upgrades, limits)`` as sorted name tuples (exactly ``sorted()`` of the
:class:`~balance.builds.Build` objects of that type).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

import attrs

from balance.builds import Build, BuildSyntaxError, parse_build
from balance.errors import UsageError


@attrs.frozen
class TypeRestriction:
    """Upgrades and limits (``names``) that are not allowed on some attack ``types``.

    ``label`` words the message: ``upgrade double_tap is not allowed on {label} attacks``.
    """

    label: str
    types: frozenset[str] = attrs.field(converter=frozenset)
    names: frozenset[str] = attrs.field(converter=frozenset)


def _frozen_mapping(value: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((str(k), int(v)) for k, v in dict(value).items())


@attrs.frozen
class Catalog:
    """Everything that decides which builds are legal and what they cost.

    Mappings are stored as tuples of ``(name, number)`` pairs so that a catalog is hashable;
    use the ``*_cost`` / ``type_factor`` dictionaries to look names up.
    """

    #: Attack type -> cost factor (every upgrade and limit cost is multiplied by it), in canonical order.
    attack_types: tuple[tuple[str, int], ...] = attrs.field(converter=_frozen_mapping)
    #: Upgrade -> cost.
    upgrades: tuple[tuple[str, int], ...] = attrs.field(converter=_frozen_mapping)
    #: Limit -> cost.
    limits: tuple[tuple[str, int], ...] = attrs.field(converter=_frozen_mapping)
    #: At most one member of each group in one build, upgrades and limits together.
    exclusive_groups: tuple[frozenset[str], ...] = attrs.field(
        default=(), converter=lambda gs: tuple(frozenset(g) for g in gs)
    )
    restrictions: tuple[TypeRestriction, ...] = attrs.field(default=(), converter=tuple)
    max_upgrades: int = 3
    max_limits: int = 2

    def __attrs_post_init__(self) -> None:
        # Fail at catalog construction, not in the middle of a run, if the data is inconsistent.
        kinds = [dict(self.attack_types), dict(self.upgrades), dict(self.limits)]
        seen: dict[str, int] = {}
        for i, names in enumerate(kinds):
            for name in names:
                if name in seen:
                    raise ValueError(f"catalog name {name} is used twice")
                seen[name] = i
        if any(f < 1 for _, f in self.attack_types):
            raise ValueError("attack type cost factors must be at least 1")
        if any(c < 0 for _, c in self.upgrades + self.limits):
            raise ValueError("upgrade and limit costs must not be negative")
        enh = set(dict(self.upgrades)) | set(dict(self.limits))
        for group in self.exclusive_groups:
            if not group <= enh:
                raise ValueError(f"exclusive group names unknown enhancements: {sorted(group - enh)}")
        for r in self.restrictions:
            if not r.names <= enh or not r.types <= set(dict(self.attack_types)):
                raise ValueError(f"type restriction {r.label} names unknown enhancements or types")

    @property
    def type_names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.attack_types)

    @property
    def type_factor(self) -> dict[str, int]:
        return dict(self.attack_types)

    @property
    def upgrade_cost(self) -> dict[str, int]:
        return dict(self.upgrades)

    @property
    def limit_cost(self) -> dict[str, int]:
        return dict(self.limits)


def _closest(name: str, candidates) -> str | None:
    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    if not match:
        # Case and separator slips ("Power-Attack") can fall below difflib's ratio cutoff.
        folded = name.lower().replace("-", "_").replace(" ", "_")
        match = [c for c in sorted(candidates) if c == folded]
    return match[0] if match else None


def _did_you_mean(name: str, candidates, others: dict[str, dict] | None = None) -> str:
    """`` (did you mean x?)`` from ``candidates``; failing that, a near name of another kind
    (``others``: kind -> names), which is the likely slip when a limit is typed among upgrades."""
    match = _closest(name, candidates)
    if match:
        return f" (did you mean {match}?)"
    for kind, names in (others or {}).items():
        match = _closest(name, names)
        if match:
            return f" (did you mean the {kind} {match}?)"
    return ""


class BuildRules:
    """Legality checks, cost and enumeration for one :class:`Catalog` (with precomputed indexes)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._factor = catalog.type_factor
        self._ucost = catalog.upgrade_cost
        self._lcost = catalog.limit_cost
        # Every enhancement gets one bit; conflicts[name] has the bits of every name that shares an
        # exclusive group with it, so a candidate is blocked iff its bit is in the chosen names'
        # union of conflicts (one AND per candidate while enumerating).
        names = sorted(self._ucost) + sorted(self._lcost)
        self._bit = {n: 1 << i for i, n in enumerate(names)}
        self._conflicts = {n: 0 for n in names}
        for group in catalog.exclusive_groups:
            bits = 0
            for n in group:
                bits |= self._bit[n]
            for n in group:
                self._conflicts[n] |= bits & ~self._bit[n]
        self._forbidden = {t: set() for t in catalog.type_names}
        for r in catalog.restrictions:
            for t in r.types:
                self._forbidden[t] |= r.names
        # Sorted group member lists, for messages (frozensets have no stable order).
        self._groups = [sorted(g) for g in catalog.exclusive_groups]

    # -- names -------------------------------------------------------------------------------------

    def name_problems(self, build: Build) -> list[str]:
        """One line per name that is unknown or in the wrong part of the build text."""
        out = []
        types, ups, lims = self._factor, self._ucost, self._lcost
        t = build.attack_type
        if t not in types:
            if t in ups:
                out.append(f"{t} is an upgrade, not an attack type (attack types: {', '.join(types)})")
            elif t in lims:
                out.append(f"{t} is a limit, not an attack type (attack types: {', '.join(types)})")
            else:
                out.append(f'unknown attack type "{t}"{_did_you_mean(t, types, {"upgrade": ups, "limit": lims})}')
        for u in build.upgrades:
            if u in ups:
                continue
            if u in lims:
                out.append(f"{u} is a limit, not an upgrade: put limits in [brackets] after the upgrades")
            elif u in types:
                out.append(f"{u} is an attack type, not an upgrade: a build has one attack type, first")
            else:
                out.append(f'unknown upgrade "{u}"{_did_you_mean(u, ups, {"limit": lims, "attack type": types})}')
        for lim in build.limits:
            if lim in lims:
                continue
            if lim in ups:
                out.append(f'{lim} is an upgrade, not a limit: put upgrades after "+", before the [brackets]')
            elif lim in types:
                out.append(f"{lim} is an attack type, not a limit: a build has one attack type, first")
            else:
                out.append(f'unknown limit "{lim}"{_did_you_mean(lim, lims, {"upgrade": ups, "attack type": types})}')
        return out

    # -- cost --------------------------------------------------------------------------------------

    def cost(self, build: Build) -> int:
        """Sum of upgrade and limit costs times the type's factor; ``ValueError`` on unknown names."""
        problems = self.name_problems(build)
        if problems:
            raise ValueError("; ".join(problems))
        base = sum(self._ucost[u] for u in build.upgrades) + sum(self._lcost[x] for x in build.limits)
        return base * self._factor[build.attack_type]

    # -- legality ----------------------------------------------------------------------------------

    def problems(self, build: Build, budget: int | None = None) -> list[str]:
        """Every rule ``build`` breaks, one line each (empty when legal).

        Unknown names come first; rules about known names are still checked so the user sees
        everything at once, but the cost is only checked when every name is known.
        """
        cat = self.catalog
        out = self.name_problems(build)
        names_ok = not out
        for kind, names in (("upgrade", build.upgrades), ("limit", build.limits)):
            for n in sorted(set(names)):
                if names.count(n) > 1:
                    out.append(f"{kind} {n} is listed {names.count(n)} times")
        n_up, n_lim = len(set(build.upgrades)), len(set(build.limits))
        if n_up > cat.max_upgrades:
            out.append(f"at most {cat.max_upgrades} upgrades (build has {n_up})")
        if n_lim > cat.max_limits:
            out.append(f"at most {cat.max_limits} limits (build has {n_lim})")
        if build.attack_type in self._factor:
            for r in cat.restrictions:
                if build.attack_type not in r.types:
                    continue
                for kind, names in (("upgrade", build.upgrades), ("limit", build.limits)):
                    for n in sorted(set(names) & r.names):
                        out.append(f"{kind} {n} is not allowed on {r.label} attacks")
        present = set(build.upgrades) | set(build.limits)
        for group in self._groups:
            if sum(1 for n in group if n in present) > 1:
                out.append(f"at most one of {', '.join(group)}")
        if budget is not None and names_ok:
            cost = self.cost(build)
            if cost > budget:
                out.append(f"cost {cost} exceeds budget {budget}")
        return out

    # -- enumeration -------------------------------------------------------------------------------

    def enumerate(self, budget: int, attack_type: str | None = None) -> Iterator[Build]:
        """Every legal build costing at most ``budget``, each once, in canonical order.

        Depth-first over name-sorted candidates, so each combination is produced once (indexes only
        increase) and in sorted-tuple order (a prefix before its extensions). Candidates too
        expensive for the remaining budget or blocked by an exclusive group are skipped at once,
        so whole subtrees are never visited.
        """
        types = self.catalog.type_names if attack_type is None else (attack_type,)
        for t in types:
            if t not in self._factor:
                raise ValueError(f'unknown attack type "{t}"{_did_you_mean(t, self._factor)}')
            yield from self._enumerate_type(t, budget)

    def _candidates(self, costs: dict[str, int], t: str, budget: int) -> list[tuple[str, int, int, int]]:
        factor, forbidden = self._factor[t], self._forbidden[t]
        return [
            (n, costs[n] * factor, self._bit[n], self._conflicts[n])
            for n in sorted(costs)
            if n not in forbidden and costs[n] * factor <= budget
        ]

    def _enumerate_type(self, t: str, budget: int) -> Iterator[Build]:
        for up_names, lim_sets in self._combinations(t, budget):
            for lim_names in lim_sets:
                yield Build(t, up_names, lim_names)

    def _combinations(self, t: str, budget: int) -> Iterator[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
        """For each legal upgrade set of type ``t`` (canonical order), every limit set that fits with it."""
        if budget < 0:
            return
        ups = self._candidates(self._ucost, t, budget)
        lims = self._candidates(self._lcost, t, budget)
        max_u, max_l = self.catalog.max_upgrades, self.catalog.max_limits
        lim_bits = 0
        for _, _, bit, _ in lims:
            lim_bits |= bit

        def combos(cands, start, chosen, left, blocked, room):
            # Yields (names, budget left, blocked bits) for `chosen` and every extension of it.
            yield chosen, left, blocked
            if room == 0:
                return
            for i in range(start, len(cands)):
                name, cost, bit, conflicts = cands[i]
                if cost > left or bit & blocked:
                    continue
                yield from combos(cands, i + 1, chosen + (name,), left - cost, blocked | conflicts, room - 1)

        # The limit sets that fit depend only on the points left and on which limits the upgrades
        # block, and many upgrade sets share those: compute each list once.
        cache: dict[tuple[int, int], tuple[tuple[str, ...], ...]] = {}
        for up_names, left, blocked in combos(ups, 0, (), budget, 0, max_u):
            key = (left, blocked & lim_bits)
            if key not in cache:
                cache[key] = tuple(names for names, _, _ in combos(lims, 0, (), left, key[1], max_l))
            yield up_names, cache[key]

    def count(self, budget: int) -> dict[str, int]:
        """Number of legal builds per attack type (catalog order), without building them."""
        return {
            t: sum(len(lim_sets) for _, lim_sets in self._combinations(t, budget)) for t in self.catalog.type_names
        }


class PointBuyRuleSystem:
    """The :class:`~balance.components.RuleSystem` methods every point-buy game gets from its
    :class:`Catalog`; a rule system adds its name, stats, budgets and kernel."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._rules = BuildRules(catalog)

    @property
    def attack_types(self) -> tuple[str, ...]:
        """Attack type names in canonical (catalog) order."""
        return self.catalog.type_names

    def check_build(self, build: Build, budget: int | None = None) -> list[str]:
        """Every rule the build breaks, one line each; empty when legal.

        The cost is only checked against ``budget`` when one is given.
        """
        return self._rules.problems(build, budget)

    def build_cost(self, build: Build) -> int:
        """Point cost (with the attack type's cost factor). ``ValueError`` on unknown names."""
        return self._rules.cost(build)

    def enumerate_builds(self, budget: int, attack_type: str | None = None) -> Iterator[Build]:
        """Every legal build within ``budget`` once: types in catalog order, then sorted builds."""
        return self._rules.enumerate(budget, attack_type)

    def count_builds(self, budget: int) -> dict[str, int]:
        """Number of legal builds per attack type, in catalog order."""
        return self._rules.count(budget)

    def parse(self, text: str) -> Build:
        """Read build text; unknown or misplaced names raise ``UsageError`` (legality is not checked)."""
        try:
            build = parse_build(text)
        except BuildSyntaxError as exc:
            message = str(exc)
            if text not in message:  # some syntax messages do not quote the text they refer to
                message = f'cannot read build "{text}": {message}'
            raise UsageError(message) from exc
        problems = self._rules.name_problems(build)
        if problems:
            raise UsageError("; ".join(problems))
        return build
