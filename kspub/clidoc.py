"""Generate the command-line reference (docs/cli.md) from the click commands themselves.

`python -m kspub.clidoc > docs/cli.md`; a test fails when the file is out of date, so the reference cannot drift.
"""

from __future__ import annotations

import click

from kspub.cli import main


def reference() -> str:
    lines = ["# kspub 命令参考", "", "本文件由 `python -m kspub.clidoc > docs/cli.md` 生成，请勿手工修改。", ""]
    # a fixed width keeps the file identical whatever terminal generates it
    with click.Context(main, info_name="kspub", terminal_width=100, max_content_width=100,
                       help_option_names=["-h", "--help"]) as root:
        lines += ["```text", main.get_help(root).rstrip(), "```", ""]
        for name in sorted(main.commands):
            command = main.commands[name]
            with click.Context(command, info_name=name, parent=root, terminal_width=100, max_content_width=100,
                               help_option_names=["-h", "--help"]) as ctx:
                lines += [f"## kspub {name}", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    click.echo(reference(), nl=False)
