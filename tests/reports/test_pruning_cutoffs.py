"""The stage-1 pruning report's per-enhancement cut-offs, recomputed from the raw records."""

from __future__ import annotations

import numpy as np

from tests.reports.helpers import carriers, first_table, num, records, table


def test_every_enhancement_has_its_cutoff_and_survivors(run_and_reports):
    run, reports = run_and_reports
    md = (reports / "stage1" / "stage1_pruning_report.md").read_text()
    head, rows = first_table(md, "Enhancement-based cutoffs")
    assert head == ["Enhancement", "Attacks carrying it", "Kept by this rule", "Cut-off (turns)", "Survived",
                    "Survived %"]
    rec, attacks, kept = records(run, "stage1"), table(run, "stage1", "attacks"), table(run, "stage1", "kept")
    rule = kept["cutoffs"]["enhancement"]
    assert {r[0] for r in rows} == set(rule)  # every enhancement, none left out
    overall = np.empty(len(rec["attack"]))
    overall[rec["attack"]] = rec["overall"]
    survived = np.zeros(len(overall), dtype=bool)
    survived[np.asarray(kept["attack"])] = True
    for name, n_carry, n_rule, cut, n_surv, _ in rows:
        has = carriers(attacks, name)
        assert num(n_carry) == has.sum() == rule[name]["carriers"]
        assert num(n_rule) == rule[name]["kept"]
        # the worst score the rule kept: the k-th best score among the attacks carrying it
        assert num(cut) == round(float(np.sort(overall[has])[rule[name]["kept"] - 1]), 2)
        assert num(n_surv) == (has & survived).sum() >= rule[name]["kept"]
