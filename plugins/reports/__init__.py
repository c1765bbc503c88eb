"""Built-in markdown reporters, one module (and one entry point) per report.

Every reporter streams the run's records through the core's reader API (:mod:`balance.store`,
:mod:`balance.queries`; one or two passes), so it works on any store, never loads all records,
and writes its files into ``<output>/<stage>/``. Shared pieces:

- :mod:`.common`   markdown building, number formatting, the header with the run's settings and
                   the population block every report carries;
- :mod:`.data`     side tables of a run (attack tables, solos, confirmation) as small objects;
- :mod:`.stream`   streaming aggregators the core does not offer (top-N by any key, per-group
                   top-N, per-group exact quantiles in two passes, sparse per-enhancement sums);
- :mod:`.enh_tiers` the per-enhancement tier statistics shared by several reports;
- :mod:`.plots`    matplotlib (Agg) figures written next to the markdown.
"""
