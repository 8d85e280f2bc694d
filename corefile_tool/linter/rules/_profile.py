"""Shared body of the rules that expect a plugin somewhere in the Corefile under `--profile kubernetes`."""


def missing_everywhere(corefile, ctx, plugin: str, code: str, severity: str, message: str):
    if ctx.profile != "kubernetes" or not ctx.has_plugin(plugin) or not corefile.server_blocks:
        return
    if any(ctx.find(block, plugin) for block in corefile.server_blocks):
        return
    first = corefile.server_blocks[0]
    token = first.keys[0].token if first.keys else first.open
    yield ctx.diagnostic(code, severity, message, token)
