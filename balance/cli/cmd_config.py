"""`balance config show [CONFIG]`: the effective config as TOML, and which keys the file set.
`balance config convert OLD.json`: the older tool's config as the equivalent native TOML."""

from __future__ import annotations

from pathlib import Path

from balance.cli.common import session_from
from balance.config import config_to_toml, read_source
from balance.config.load import parse_text
from balance.config.toml_out import data_to_toml
from balance.errors import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser("config", help="show or convert configs")
    sub = p.add_subparsers(dest="config_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser("show", help="print the effective config as TOML (the embedded default if none given)")
    show.add_argument("config", nargs="?", help="TOML or JSON config file")
    show.set_defaults(func=run_show)
    convert = sub.add_parser("convert", help="write an older config.json as the equivalent TOML")
    convert.add_argument("config", help="the older tool's config.json")
    convert.add_argument("-o", "--output", metavar="FILE", help="write here (default: print); never overwrites")
    convert.set_defaults(func=run_convert)


def run_show(args) -> int:
    session = session_from(args)
    print(f"# effective config from {session.origin}")
    keys = read_source(args.config).file_keys if args.config else ()
    if args.config:
        print(f"# keys from the file: {', '.join(keys) or 'none'}; every other key is the embedded default's")
    print(config_to_toml(session.config), end="")
    return 0


def run_convert(args) -> int:
    path, out = Path(args.config), Path(args.output) if args.output else None
    if path.suffix.lower() != ".json":
        raise UsageError(f"{path} is not a .json file; `balance config convert` reads the older tool's config.json")
    if out is not None and out.exists():
        raise UsageError(f"{out} exists; choose another --output (convert never overwrites)")
    session = session_from(args)  # the file must load before it is converted (its warnings are shown)
    data, _, _ = parse_text(path.read_text(), "json", str(path))
    lines = [f"# converted from {path} by `balance config convert`; layered over the embedded default"]
    lines += [f"# {w}" for w in session.warnings]
    text = "\n".join(lines) + "\n\n" + data_to_toml(data)
    if out is None:
        print(text, end="")
    else:
        out.write_text(text)
        print(f"wrote {out}")
    return 0
