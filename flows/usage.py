"""The command line's manners: `missions --version`, and an argument a sub-command does not
know reported with that sub-command's usage."""
from __future__ import annotations

import argparse


class VersionAction(argparse.Action):
    """`missions --version`: the package's version and the pipeline version rows carry."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        from extractors.document import pipeline_version

        try:
            package = version("missions")
        except PackageNotFoundError:
            package = "(not installed)"
        print(f"missions {package} (pipeline {pipeline_version()})")
        parser.exit()


def parse_arguments(parser: argparse.ArgumentParser, argv: list[str] | None
                    ) -> argparse.Namespace:
    """The arguments; an argument a sub-command does not know is reported with that
    sub-command's usage, not the top-level one."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser_of = getattr(args, "subcommands", {}).get(getattr(args, "command", None), parser)
        parser_of.error(f"unrecognized arguments: {' '.join(extra)}")
    return args
