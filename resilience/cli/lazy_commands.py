"""A click group that imports each command's module only when that command is run.

`resilience --help` lists every command from a one-line summary kept beside its module name,
so that listing them imports none of the web, database or geo libraries the commands use.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command is defined, and the first paragraph of its help for the listing."""

    module: str
    attribute: str
    summary: str

    def load(self) -> click.Command:
        """Return the command, importing its module; raises TypeError if it is not one."""
        command = getattr(importlib.import_module(self.module), self.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.module}.{self.attribute} is not a click command")
        return command


class LazyGroup(click.Group):
    """A group whose commands, named in `lazy_commands`, are imported on first use."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, LazyCommand] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            self.add_command(self.lazy_commands[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own listing, given stand-ins that carry the summaries of commands not loaded.
        stand_ins = {
            name: click.Command(name, help=lazy.summary)
            for name, lazy in self.lazy_commands.items()
            if name not in self.commands
        }
        listing = click.Group(self.name, commands={**stand_ins, **self.commands})
        listing.format_commands(ctx, formatter)
