"""`balance run --set KEY=V1,V2,...`: a sweep, one run directory per value under ``--out``
(``OUT/KEY=V1``), then ``OUT/sweep.md``: each variant compared with the first by ``balance diff``'s
comparers.

Every variant's config is opened and checked before any work starts, so a bad value stops the sweep
before the first run. Running the same command again continues it: a variant whose folder holds a
run is resumed (or skipped when complete) after its recorded config is checked against the one the
command asks for, exactly as ``balance run --resume`` checks it.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.markup import escape

from balance import outfiles
from balance.cli.cmd_diff import page as diff_page
from balance.cli.cmd_run import ALIASES, execute, new_run_session
from balance.cli.paths import check_out_dir
from balance.comparing import compare
from balance.errors import UsageError
from balance.progress import console
from balance.reporting import ReportContext
from balance.runcheck import check_same_config, check_same_rule_table, open_run_checked
from balance.runner import CONFIG_FILE

SWEEP_PAGE = "sweep.md"
#: Comparer lines shown on the console per variant (all are on the page).
CONSOLE_LINES = 8


def variant_name(key: str, text: str) -> str:
    """``KEY=VALUE`` as a folder name: characters other than letters, digits and ``._=,-`` become ``_``."""
    return "".join(ch if ch.isalnum() or ch in "._=,-" else "_" for ch in f"{key}={text}")


def run_sweep(args, fixed, swept) -> int:
    out = Path(args.out or f"runs/sweep-{time.strftime('%Y%m%d-%H%M%S')}")
    check_out_dir(out, "--out")
    if (out / CONFIG_FILE).exists():
        raise UsageError(f"--out {out}: holds a run; a sweep writes one run directory per value inside --out")
    names = [variant_name(swept.key, t) for t in swept.texts]
    if len(set(names)) < len(names):
        raise UsageError(f"--set {swept.key}: two values give the same folder name ({', '.join(names)})")
    wanted_stage = ALIASES.get(args.stage, args.stage)
    # Every variant's config is checked before any work.
    variants = []
    for text, value, name in zip(swept.texts, swept.values, names):
        run_dir = out / name
        session, spec = new_run_session(args, run_dir, [*fixed, (swept.key, value)])
        variants.append((text, run_dir, session, spec))
    for _, run_dir, session, _ in variants:  # folders of an earlier attempt: the same numbers, or stop now
        store = session.plugins.component("balance_stores", session.config.store)
        if store.has_run(run_dir):
            existing = store.open(run_dir)
            check_same_config(existing, run_dir, session.config, "resume")
            check_same_rule_table(existing, run_dir, session.rule_table)
    walls, copied = [], []
    started = time.perf_counter()
    base_dir = variants[0][1]
    for i, (text, run_dir, session, spec) in enumerate(variants):
        console().print(f"sweep: {swept.key} = {text} ({i + 1} of {len(variants)}) -> {run_dir}")
        store = session.plugins.component("balance_stores", session.config.store)
        reuse = None
        if i and legality_only(session, swept.key) and store.has_run(base_dir) \
                and store.open(base_dir).stage_complete("stage1"):
            reuse = base_dir.resolve()
        copied.append(reuse is not None)
        walls.append(execute(args, session, spec, run_dir, wanted_stage, resume=store.has_run(run_dir), reuse=reuse))
    page_started = time.perf_counter()
    text = sweep_page(swept.key, [(t, d) for t, d, _, _ in variants], walls, copied)
    outfiles.write_text(out / SWEEP_PAGE, text)
    console().print(f"sweep page: {escape(str(out / SWEEP_PAGE))} ({time.perf_counter() - page_started:,.1f} s); "
                    f"sweep of {len(variants)} in {time.perf_counter() - started:,.1f} s")
    return 0


def legality_only(session, key: str) -> bool:
    """Whether ``key`` is a rule of the session's rule table that the rule system says decides only
    legality (``legality_only``): then the variants' shared builds fight exactly alike."""
    prefix = f"rules.{session.rule_table.rules}."
    check = getattr(session.rules.unwrapped, "legality_only", None)
    return key.startswith(prefix) and check is not None and bool(check(key[len(prefix):]))


def open_variant(run_dir: Path) -> ReportContext:
    # This command wrote (or checked against its own config) every variant: its plugins are the
    # ones the command line asked for, recorded in the run's config.toml.
    session, run = open_run_checked(run_dir, True)
    return ReportContext(session, run, run_dir, run_dir, False)


def demoted(markdown: str) -> str:
    """Headings one level down, so that a diff page sits under a heading of the sweep page."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())


def sweep_page(key: str, variants: list[tuple[str, Path]], walls: list[float], copied: list[bool]) -> str:
    """The sweep's page: its variants, then each one against the first, as ``balance diff`` shows it."""
    lines = [f"# Sweep of `{key}`", "",
             f"One run per value of `{key}`, every other key the same; each variant is compared with the "
             f"first (`{key} = {variants[0][0]}`, the baseline) as `balance diff BASELINE VARIANT` compares "
             "two runs (same seed: same dice, so the changes are paired).", "",
             "| Value | Run directory | Stage 1 | Wall time of this command |", "|---|---|---|---|"]
    how = {False: "simulated", True: "shared builds copied from the first (the rule decides legality only)"}
    lines += [f"| `{t}` | `{d.name}` | {how[c]} | {w:,.1f} s |" for (t, d), w, c in zip(variants, walls, copied)]
    lines.append("")
    con = console()
    base_text, base_dir = variants[0]
    base = open_variant(base_dir)
    for text, run_dir in variants[1:]:
        other = open_variant(run_dir)
        changes, results = compare(base, other)
        con.print(f"sweep: {key} = {base_text} -> {text}")
        for result in results:
            for line in result.console[:CONSOLE_LINES]:
                con.print(f"  {line}", markup=False, highlight=False)
        lines += [f"## `{key} = {text}` against `{key} = {base_text}`", "",
                  demoted(diff_page(base_dir, run_dir, changes, results, [])).split("\n", 1)[1].lstrip("\n"), ""]
    return "\n".join(lines) + "\n"
