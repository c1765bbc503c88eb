"""Built-in scenario plugin: the profiles, buffs and scenarios the config lists."""

from balance.hookspecs import hookimpl


@hookimpl
def balance_profiles(config):
    return list(config.profiles)


@hookimpl
def balance_buffs(config):
    return list(config.buffs)


@hookimpl
def balance_scenarios(config):
    return list(config.scenarios)
