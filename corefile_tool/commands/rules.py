"""corefile rules"""
import click


@click.command("rules")
@click.argument("codes", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def command(codes, fmt):
    """List the lint rules: code, default severity, summary; with CODES, also the explanation and examples."""
    from ..cli import echo_json, fail
    from ..linter.rules import all_rules, by_code

    rules = all_rules()
    if codes:
        known = by_code()
        unknown = [c for c in codes if c not in known]
        if unknown:
            fail(f"unknown rule code {unknown[0]!r} (run `corefile rules` for the list)")
        rules = [known[c] for c in codes]
    if fmt == "json":
        echo_json([{"code": r.CODE, "severity": r.SEVERITY, "summary": r.SUMMARY, "doc": r.DOC.strip()}
                   for r in rules])
        return
    for rule in rules:
        if fmt == "markdown":
            click.echo(f"### `{rule.CODE}` ({rule.SEVERITY})\n\n{rule.SUMMARY}\n{rule.DOC}")
        elif codes:
            click.echo(f"{rule.CODE} [{rule.SEVERITY}]: {rule.SUMMARY}\n{rule.DOC}")
        else:
            click.echo(f"{rule.CODE} [{rule.SEVERITY}]: {rule.SUMMARY}")
