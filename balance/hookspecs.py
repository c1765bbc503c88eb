"""Hook specifications: the reference documentation of every extension point.

A plugin is a module (or object) with functions named like the specs below, marked with
``@balance.hookimpl``. Plugins are found through the ``balance`` entry-point group; built-in plugins
use the same group. Hooks are called through pluggy: ``tryfirst``/``trylast`` and hook wrappers
work as pluggy documents them, and a ``balance_*`` function that matches no spec below is an error
naming its plugin. Every hook here *provides* components (rule systems, policies, stages, ...):
each component has a unique ``name`` by which the config and the CLI select, disable or replace it.
If two enabled plugins provide a component with the same name, the run stops with an error naming
both; to replace a built-in component, disable the built-in plugin and enable yours.

The component protocols (what a returned object must offer) live in :mod:`balance.components`.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("balance")
hookimpl = pluggy.HookimplMarker("balance")


# -- rules ---------------------------------------------------------------------------------------


@hookspec
def balance_rule_systems():
    """Return the rule systems this plugin provides, as a list of :class:`~balance.components.RuleSystem`.

    A rule system is everything game-specific: its catalog (attack types, upgrades, limits, costs,
    restrictions), build validation with one human-readable reason per broken rule, enumeration of
    every legal build within a budget, and the vectorised combat kernel the engine drives. The
    engine never looks inside a build; the config's ``rules`` key picks the rule system by name.

    Example::

        @hookimpl
        def balance_rule_systems():
            return [VitalityRules()]
    """


@hookspec
def balance_rule_extensions(rules):
    """Return additions to the rule system named ``rules`` (a list; empty for other systems).

    What an addition is belongs to the rule system, which receives them all through its
    ``extended(additions)`` method and returns the extended system (an error if it has none). For
    Vitality an addition is a catalog entry, ``Upgrade`` or ``Limit`` of
    ``balance_rules.vitality.catalog``, made of the effects the kernel already knows (accuracy and
    damage bonuses, a crit range, a limit's condition, and the named behaviours such as
    ``brutal``): the new upgrade is enumerated, costed, simulated, and its numbers join the rule
    table, so a config can override them. ``examples/vitality_upgrade`` adds one.

    Example::

        @hookimpl
        def balance_rule_extensions(rules):
            if rules != "vitality":
                return []
            return [Upgrade("keen_edge", cost=2, accuracy_t=1, crit_range=True)]
    """


# -- scenarios -----------------------------------------------------------------------------------


@hookspec
def balance_profiles(config):
    """Return defensive profiles (:class:`~balance.grid.Profile`) to add to the run's grid.

    ``config`` is the effective :class:`~balance.config.model.Config`. The built-in ``config_grid``
    plugin returns the profiles the config lists; a plugin may add generated ones. Profiles are
    concatenated in plugin order; names must be unique across all plugins.
    """


@hookspec
def balance_buffs(config):
    """Return buff configurations (:class:`~balance.grid.Buff`) to add to the run's grid.

    Same contract as :func:`balance_profiles`; the built-in returns the config's buffs. A buff's
    bonuses are named by the rule system's ``buff_fields``; a buff giving another is an error.
    """


@hookspec
def balance_scenarios(config):
    """Return enemy scenarios (:class:`~balance.grid.Scenario`) to add to the run's grid.

    A scenario is a named list of enemy max HP in targeting order. The built-in returns the config's
    scenarios; a plugin can add generated groups (for example a growing swarm). Names must be unique.
    """


# -- policy --------------------------------------------------------------------------------------


@hookspec
def balance_policies():
    """Return attack-choice policies (:class:`~balance.components.Policy`).

    A policy chooses, for every lane of a batch at once, which usable attack a multi-attack
    character uses this turn. It sees the game state and the attacks' numbers through the
    kernel's policy view (never names). It is asked only about lanes with a choice to make (two
    or more usable attacks, or none: then between the fallback actions). ``stage2.policy`` in the
    config selects one by name.

    A policy may instead race plans (``race``: a tuple of plain policies): per candidate and
    cell the engine plays each attack alone and each policy of ``race`` on pilot dice of their
    own, and reports the winner on the evaluation dice (the built-in ``default`` races ``greedy``;
    docs/concepts.md, "Pair play"). A plugin reuses the race by listing its own policy with or
    instead of ``greedy``.
    """


# -- scoring -------------------------------------------------------------------------------------


@hookspec
def balance_scorings():
    """Return scorings (:class:`~balance.components.Scoring`): per-candidate metrics from raw turns.

    A scoring turns the engine's per-cell sums (turns, squares, timeouts) into the candidate's
    score, standard error and per-cell means. The default, ``mean_turns``, weighs every cell the
    same; lower is better. ``scoring`` in the config selects one by name.
    """


# -- stage ---------------------------------------------------------------------------------------


@hookspec
def balance_stages():
    """Return pipeline stages (:class:`~balance.components.Stage`).

    A stage has a ``name`` (``stage1``, ``stage2``, or any other), the names of the stages it
    ``requires`` and a ``run(context)`` method that simulates and streams its records to the run's
    store. Stages run in dependency order; ``balance run --stage NAME`` runs one (its requirements
    must already be in the run directory), ``--stage all`` (the default, unless the config's
    ``stages`` lists some) runs every registered stage.

    A stage owns its settings: ``settings`` is an attrs class with defaults, filled from the config's
    table named like the stage (``[stage1]``; a stage without settings has ``settings = None``), and
    ``check_settings(settings, config)`` yields ``(key, problem)`` for each check beyond types, which
    the run reports as ``config error: NAME.KEY: problem`` before any work. ``selected(config)`` lists
    the components the stage uses as ``(config key, hook, name)`` (stage 2's policy), so that an
    unknown one is a config error too. ``examples/retest_stage`` is a third stage from outside the
    project.
    """


# -- store ---------------------------------------------------------------------------------------


@hookspec
def balance_stores():
    """Return result stores (:class:`~balance.store.Store`).

    A store creates, opens and resumes runs, and hands out the contract of :mod:`balance.store`: a
    run (manifest summary, stage states, side tables), stage writers and stage readers. A reader
    implements ``iter_blocks`` and inherits the queries reports ask (top-N, aggregates, quantiles,
    tiers) from :class:`balance.queries.BlockQueries`, so every store answers them alike. It must
    stream: memory stays bounded whatever the number of records. ``store`` in the config selects
    one by name (default ``msgpack``; ``tests/store/memory_store.py`` is a second, in memory).
    """


# -- reporter ------------------------------------------------------------------------------------


@hookspec
def balance_reporters():
    """Return reporters (:class:`~balance.components.Reporter`).

    A reporter reads a run only through the core's reader API (``context.reader(stage)``, a
    :class:`balance.store.StageReader`, and the side tables of ``context.run``) and writes files
    (markdown, plots) into the output folder and returns their paths. Writing reports again into the same
    folder removes the files a reporter wrote the previous time and no longer writes (recorded in
    ``.balance-reports.json`` there); files no reporter wrote are left alone. Reporters are
    selected, disabled or replaced by name in the ``[reports]`` table of the config or with
    ``--reporters``.

    Reporters run in lanes, one process each (:mod:`balance.report_lanes`), one after another
    within a lane, side by side across lanes. Three optional attributes place a reporter:

    - ``uses``: names of reporters whose files it renders; it runs after them, in the first lane,
      and ``context.written`` holds their files.
    - ``shares``: a name for the computations it caches per process and shares with other
      reporters (default: its ``stage``); reporters with the same ``shares`` run in one lane, so
      what one computes the next finds. A reporter that shares nothing with its stage's others
      gives a name of its own, and may then run in another lane than they.
    - ``cost``: roughly how much work it does (default 1; the built-in reporters declare their CPU
      seconds on the default run). The groups of reporters sharing a name are spread over the
      lanes by their summed cost, the costliest first, each to the lane with the least so far.

    Example::

        class BestPerScenario:
            name, stage, cost = "best_per_scenario", "stage2", 0.5

            def write(self, context):
                ...

        @hookimpl
        def balance_reporters():
            return [BestPerScenario()]
    """


# -- comparer ------------------------------------------------------------------------------------


@hookspec
def balance_comparers():
    """Return comparers (:class:`~balance.components.Comparer`): what moved between two runs.

    ``balance diff RUN_A RUN_B`` opens both runs as ``balance report`` does (untrusted run
    directories, recorded configs checked), lists the differences of their recorded configs, then
    calls every comparer's ``compare(context)`` with a :class:`balance.comparing.CompareContext`:
    ``context.a`` and ``context.b`` are report contexts (``.reader(stage)``, ``.run``, ``.session``)
    and ``context.changes`` the config changes. A comparer reads both runs only through the core's
    reader API and returns a :class:`balance.comparing.Comparison`: a few plain-text lines for the
    console (most important first) and its markdown section of the diff page. The built-in
    ``run_diff`` compares enhancement values in points, builds, pairs and findings; a move is listed
    only when it exceeds the two runs' combined uncertainty. ``--comparers`` selects some by name.
    """


# -- executor ------------------------------------------------------------------------------------


@hookspec
def balance_executors():
    """Return executors (:class:`~balance.components.Executor`).

    An executor runs batches of work (index ranges, never pickled objects) and yields their compact
    results in submission order, so that results do not depend on the executor or worker count.
    ``--executor NAME`` selects one (default ``local``). A run calls ``map`` once per step (stage
    records, solos, confirmation); an executor may keep its workers from one call to the next and
    offer ``close()``, which the runner calls once the run's stages are done, also on failure,
    and ``start(spec, workers)``, which the runner calls before the first stage, so that the
    workers start up (imports, session, compiled kernel: ``balance.work.start_worker``) while the
    main process prepares the first step.
    """
