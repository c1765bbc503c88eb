"""Maps the plugins/ and rules/ folders to namespaced import packages.

The folders keep the short names the layout asks for; installed, they are ``balance_plugins`` and
``balance_rules`` so that no distribution installs a bare ``plugins`` or ``rules`` package.
"""
from setuptools import find_packages, setup


def mapped(folder: str, name: str) -> list[str]:
    return [name] + [f"{name}.{sub}" for sub in find_packages(folder)]


setup(
    packages=find_packages(include=["balance", "balance.*"])
    + mapped("plugins", "balance_plugins")
    + mapped("rules", "balance_rules"),
    package_dir={"balance_plugins": "plugins", "balance_rules": "rules"},
)
