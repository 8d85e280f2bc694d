"""corefile rules"""
import click


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def command(fmt):
    """List the lint rules: code, default severity, explanation, bad and good examples."""
    from ..linter.rules import all_rules

    for rule in all_rules():
        if fmt == "markdown":
            click.echo(f"### `{rule.CODE}` ({rule.SEVERITY})\n\n{rule.SUMMARY}\n{rule.DOC}")
        else:
            click.echo(f"{rule.CODE} [{rule.SEVERITY}]: {rule.SUMMARY}")
