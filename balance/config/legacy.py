"""The older tool's ``config.json`` files, both generations, translated into the native model's keys.

Every key the older tool wrote is honoured (mapped to its native key and unit), accepted with one
warning (it has no meaning here), or refused with one config error; docs/configuration.md lists
which is which. Keys that are already native pass through unchanged, so a JSON file may mix both.
Errors name the keys as the user wrote them (``scenarios[2].enemy_hp_list[1]``), through the
returned ``rename`` function.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from balance.config.convert import show
from balance.errors import ConfigError

#: Keys that mean nothing here, and why: accepted with one warning line each.
WHY_IGNORED = {
    "use_gpu": "the engine runs on the CPU; there is no GPU path",
    "use_threading": "work always runs in worker processes; set their number with performance.workers",
    "build_chunk_size": "work units are sized by the runner (performance.batch_size) and results do not depend on them",
    "chunk_size": "work units are sized by the runner (performance.batch_size) and results do not depend on them",
    "description": "descriptions are not used by runs or reports",
}
#: The newer generation's ``stage1.pruning_strategy`` names.
STRATEGIES = {"overall_only": "overall_specialists", "enhancement_based": "enhancement", "hybrid": "hybrid"}
_BUFF_KEYS = {
    "attacker_accuracy_bonus": "accuracy",
    "attacker_damage_bonus": "damage",
    "defender_avoidance_bonus": "avoidance",
    "defender_durability_bonus": "durability",
}
DEFENDER_PROFILE = "Defender"


def _table(path: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(path, f"expected a table, got {show(value)}")
    return value


def _known(path: str, table: dict, known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{path}.{key}", f"unknown key (known keys: {', '.join(known)})")


def _bool(path: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"expected true or false, got {show(value)}")
    return value


def _runs(path: str, value: Any, allow_default: bool) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and (value >= 1 or (allow_default and value == -1))
    if not ok:
        wanted = "a positive integer or -1 (the stage's runs)" if allow_default else "a positive integer"
        raise ConfigError(path, f"expected {wanted}, got {show(value)}")
    return value


def _percent(path: str, value: Any) -> float:
    """The older tool's fractions (0.2 means 20 %) as the percentages used here."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ConfigError(path, f"expected a fraction in (0, 1] (0.2 means 20%), got {show(value)}")
    return round(value * 100, 9)  # 0.07 * 100 is 7.000000000000001


class _Translation:
    def __init__(self, data: dict) -> None:
        self.data = data
        self.out: dict[str, Any] = {}
        self.renames: dict[str, str] = {}  # native path prefix -> the user's
        self.warned: dict[str, tuple[list[str], str]] = {}  # generic path -> (paths, why)

    def put(self, native: str, value: Any, user: str) -> None:
        """Set the native dotted key ``native``, which the user wrote as ``user``."""
        *parents, last = native.split(".")
        target = self.out
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(user, f"conflicts with {part}, which is not a table")
        if last in target:
            raise ConfigError(user, f"given twice (also as {self.rename(native)})")
        target[last] = value
        if native != user:
            self.renames[native] = user

    def ignore(self, generic: str, path: str, why: str) -> None:
        """``path`` is accepted and ignored; one warning line per ``generic`` key, however many entries."""
        paths, _ = self.warned.setdefault(generic, ([], why))
        paths.append(path)

    def warnings(self) -> list[str]:
        return [
            f"{paths[0] if len(paths) == 1 else f'{generic} ({len(paths)} entries)'}: ignored: {why}"
            for generic, (paths, why) in self.warned.items()
        ]

    def rename(self, path: str) -> str:
        for native in sorted(self.renames, key=len, reverse=True):
            if path == native or path.startswith((native + ".", native + "[")):
                return self.renames[native] + path[len(native):]
        return path

    # -- the top-level keys -----------------------------------------------------------------------

    def run(self) -> None:
        handlers = {
            "archetypes": self.archetypes,
            "simulation_runs": lambda k, v: self.put("stage1.runs", v, k),
            "character_config": self.character,
            "defensive_profiles": self.profiles,
            "buff_configurations": self.buffs,
            "scenarios": self.scenarios,
            "stage1": self.stage1,
            "stage2": self.stage2,
            "performance": self.performance,
            "pruning": lambda k, v: None,  # with progressive_elimination, in rounds()
            "progressive_elimination": lambda k, v: None,
            "dual_natured": lambda k, v: None,  # needs the archetype: dual_natured()
        }
        for key, value in self.data.items():
            if key in handlers:
                handlers[key](key, value)
            elif key in ("use_gpu", "use_threading", "build_chunk_size"):
                self.ignore(key, key, WHY_IGNORED[key])
            else:  # a native key (an unknown one is named by the model)
                self.put(key, value, key)
        self.rounds()
        self.dual_natured()

    def archetypes(self, key: str, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value) or not value:
            raise ConfigError(key, f"expected a list of archetype names, got {show(value)}")
        if "archetype" in self.data:
            raise ConfigError(key, "give archetype or archetypes, not both")
        if len(value) > 1:
            raise ConfigError(
                key,
                f"a run screens one archetype, and this file lists {len(value)} ({', '.join(value)}); "
                "keep one (write one config per archetype)",
            )
        self.put("archetype", value[0], f"{key}[0]")

    def character(self, key: str, value: Any) -> None:
        table = _table(key, value)
        _known(key, table, ("attacker", "defender"))
        if "attacker" in table:
            self.put("attacker", table["attacker"], f"{key}.attacker")
        if "defender" in table:
            if "defensive_profiles" in self.data or "profiles" in self.data:
                why = "defensive profiles are given; the defender's stats stand in only without them"
                self.ignore(f"{key}.defender", f"{key}.defender", why)
            else:
                self.put("profiles", [{"name": DEFENDER_PROFILE, "stats": table["defender"]}], key)
                self.renames["profiles[0].stats"] = f"{key}.defender"
                self.renames["profiles[0]"] = f"{key}.defender"

    def profiles(self, key: str, value: Any) -> None:
        self.put("profiles", self.items(key, value, {}, "profiles"), key)

    def buffs(self, key: str, value: Any) -> None:
        for i, item in enumerate(value if isinstance(value, list) else []):
            for k in item if isinstance(item, dict) else ():
                if k not in (*_BUFF_KEYS, *_BUFF_KEYS.values(), "name", "description"):
                    guess = difflib.get_close_matches(k, list(_BUFF_KEYS), n=1)
                    hint = f"did you mean {guess[0]}?" if guess else f"known keys: name, {', '.join(_BUFF_KEYS)}"
                    raise ConfigError(f"{key}[{i}].{k}", f"unknown key ({hint})")
        self.put("buffs", self.items(key, value, _BUFF_KEYS, "buffs"), key)

    def items(self, key: str, value: Any, renamed: dict[str, str], native: str) -> Any:
        """A list of tables: ``description`` warned about, renamed keys mapped, the rest passed on."""
        if not isinstance(value, list):
            return value  # the model names the problem
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                out.append(item)
                continue
            mapped = {}
            for k, v in item.items():
                if k == "description":
                    self.ignore(f"{key}[].description", f"{key}[{i}].description", WHY_IGNORED[k])
                    continue
                mapped[renamed.get(k, k)] = v
                if k in renamed:
                    self.renames[f"{native}[{i}].{renamed[k]}"] = f"{key}[{i}].{k}"
            out.append(mapped)
        return out

    def scenarios(self, key: str, value: Any) -> None:
        if not isinstance(value, list):
            self.put(key, value, key)
            return
        self.put(key, [self.scenario(i, s) for i, s in enumerate(value)], key)

    def scenario(self, i: int, scenario: Any) -> Any:
        if not isinstance(scenario, dict):
            return scenario
        where = f"scenarios[{i}]"
        out = {k: v for k, v in scenario.items() if k not in ("num_enemies", "enemy_hp", "enemy_hp_list")}
        if "enemy_hp_list" in scenario:
            if "enemy_hp" in scenario or "num_enemies" in scenario:
                raise ConfigError(where, "give either enemy_hp_list or num_enemies + enemy_hp, not both")
            out["enemy_hp"] = scenario["enemy_hp_list"]
            self.renames[f"{where}.enemy_hp"] = f"{where}.enemy_hp_list"
        elif "num_enemies" in scenario:
            count, hp = scenario["num_enemies"], scenario.get("enemy_hp")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ConfigError(f"{where}.num_enemies", f"expected a positive integer, got {show(count)}")
            if hp is None:
                raise ConfigError(f"{where}.enemy_hp", "missing (needed with num_enemies)")
            if isinstance(hp, list):
                if len(hp) != count:
                    raise ConfigError(f"{where}.enemy_hp", f"lists {len(hp)} enemies, and num_enemies is {count}")
                out["enemy_hp"] = hp
            else:
                if isinstance(hp, bool) or not isinstance(hp, int) or hp < 1:
                    raise ConfigError(f"{where}.enemy_hp", f"expected a positive integer, got {show(hp)}")
                out["enemy_hp"] = [hp] * count
        elif "enemy_hp" in scenario:
            if not isinstance(scenario["enemy_hp"], list):
                raise ConfigError(f"{where}.num_enemies", "missing (needed with enemy_hp as one number)")
            out["enemy_hp"] = scenario["enemy_hp"]  # the native list
        return out

    def stage1(self, key: str, value: Any) -> None:
        table = _table(key, value)
        for k, v in table.items():
            path = f"{key}.{k}"
            if k == "simulation_runs":
                self.put("stage1.runs", v, path)
            elif k == "top_percent":
                self.put("stage1.prune.overall_percent", _percent(path, v), path)
            elif k in ("specialist_percent", "enhancement_percent"):
                self.put(f"stage1.prune.{k}", _percent(path, v), path)
            elif k == "pruning_strategy":
                if v not in STRATEGIES:
                    raise ConfigError(path, f"unknown strategy {show(v)} (strategies: {', '.join(STRATEGIES)})")
                self.put("stage1.prune.strategy", STRATEGIES[v], path)
            elif k == "prune" and isinstance(v, dict):  # native; merged with the mapped keys above
                for pk, pv in v.items():
                    self.put(f"stage1.prune.{pk}", pv, f"{path}.{pk}")
            else:
                self.put(path, v, path)

    def stage2(self, key: str, value: Any) -> None:
        table = _table(key, value)
        for k, v in table.items():
            path = f"{key}.{k}"
            if k == "simulation_runs":
                self.put("stage2.runs", v, path)
            elif k == "pair_sample_percent":
                self.put("stage2.sample_fraction", _percent(path, v) / 100, path)
            else:  # max_turns, max_pairs and the native keys
                self.put(path, v, path)

    def performance(self, key: str, value: Any) -> None:
        table = _table(key, value)
        for k, v in table.items():
            path = f"{key}.{k}"
            if k == "num_workers":
                self.put("performance.workers", v, path)
            elif k in ("chunk_size", "use_threading"):
                self.ignore(path, path, WHY_IGNORED[k])
            else:
                self.put(path, v, path)

    # -- keys that need others ------------------------------------------------------------------------

    def rounds(self) -> None:
        """``pruning`` (a quick pass over every attack, then the survivors at the stage's runs) and
        ``progressive_elimination.rounds`` become stage 1's screening rounds."""
        rounds: list[dict] = []
        users: list[dict[str, str]] = []
        if "pruning" in self.data:
            p = _table("pruning", self.data["pruning"])
            _known("pruning", p, ("enabled", "simulation_runs", "top_percent"))
            if "enabled" not in p:
                raise ConfigError("pruning.enabled", "missing (true or false)")
            if _bool("pruning.enabled", p["enabled"]):
                for k in ("simulation_runs", "top_percent"):
                    if k not in p:
                        raise ConfigError(f"pruning.{k}", "missing (needed when pruning is enabled)")
                rounds.append({
                    "runs": _runs("pruning.simulation_runs", p["simulation_runs"], False),
                    "keep_percent": _percent("pruning.top_percent", p["top_percent"]),
                })
                users.append({"runs": "pruning.simulation_runs", "keep_percent": "pruning.top_percent"})
        progressive = []
        if "progressive_elimination" in self.data:
            key = "progressive_elimination"
            p = _table(key, self.data[key])
            _known(key, p, ("enabled", "rounds"))
            if "enabled" not in p:
                raise ConfigError(f"{key}.enabled", "missing (true or false)")
            if _bool(f"{key}.enabled", p["enabled"]):
                given = p.get("rounds")
                if not isinstance(given, list) or not given:
                    raise ConfigError(f"{key}.rounds", f"expected a non-empty list of rounds, got {show(given)}")
                for i, r in enumerate(given):
                    where = f"{key}.rounds[{i}]"
                    r = _table(where, r)
                    _known(where, r, ("simulation_runs", "keep_percent"))
                    for k in ("simulation_runs", "keep_percent"):
                        if k not in r:
                            raise ConfigError(f"{where}.{k}", "missing")
                    progressive.append({
                        "runs": _runs(f"{where}.simulation_runs", r["simulation_runs"], True),
                        "keep_percent": _percent(f"{where}.keep_percent", r["keep_percent"]),
                    })
                    users.append({"runs": f"{where}.simulation_runs", "keep_percent": f"{where}.keep_percent"})
        if rounds and not progressive:  # the pruning pass, then full testing of its survivors
            progressive = [{"runs": -1, "keep_percent": 100.0}]
            users.append({"runs": "pruning", "keep_percent": "pruning"})
        rounds += progressive
        if rounds:
            self.put("stage1.rounds", rounds, "pruning" if "pruning" in self.data else "progressive_elimination")
            for i, names in enumerate(users):
                for k, user in names.items():
                    self.renames[f"stage1.rounds[{i}].{k}"] = user

    def dual_natured(self) -> None:
        if "dual_natured" not in self.data:
            return
        key = "dual_natured"
        table = _table(key, self.data[key])
        _known(key, table, ("fallback_attacks", "fallback_tier_bonus"))
        attacks = table.get("fallback_attacks", [])
        if not isinstance(attacks, list) or not all(isinstance(a, str) for a in attacks):
            raise ConfigError(f"{key}.fallback_attacks", f"expected a list of attack types, got {show(attacks)}")
        bonus = table.get("fallback_tier_bonus", 0)
        if isinstance(bonus, bool) or not isinstance(bonus, int):
            raise ConfigError(f"{key}.fallback_tier_bonus", f"expected an integer, got {show(bonus)}")
        archetype = self.out.get("archetype", "dual_natured")  # not given: the embedded default's
        if archetype != "dual_natured":
            self.ignore(key, key, f"it configures the dual_natured archetype, and this run's archetype is {archetype}")
        elif attacks or bonus:
            raise ConfigError(
                f"{key}.fallback_attacks" if attacks else f"{key}.fallback_tier_bonus",
                "a build paired with a plain fallback attack at a tier bonus has no equivalent here: "
                "a dual_natured character's two attacks are two full builds, which stage 2 pairs; "
                "remove the dual_natured table (or choose another archetype)",
            )


def translate(data: dict) -> tuple[dict, Callable[[str], str], list[str]]:
    """The native form of ``data``, a function mapping native key paths back to the user's, and
    the warning lines for keys that are ignored (``path: ignored: why``)."""
    t = _Translation(data)
    t.run()
    return t.out, t.rename, t.warnings()
