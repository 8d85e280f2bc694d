"""Shared body of the rules whose findings come from listeners.validate (one pass over the zone configurations)."""


def checker(code: str, severity: str, kind: str, where: str):
    """check(corefile, ctx) for the listener problems of `kind`; `where` ({line}) names the other block."""
    def check(corefile, ctx):
        from ...listeners import validate

        for problem in ctx._memo("listener-problems", lambda: validate(ctx.zone_configs())):
            if problem.kind != kind:
                continue
            other = problem.other
            suffix = where.format(line=other.key_token.line) if other is not None else ""
            yield ctx.diagnostic(code, severity, problem.message + suffix, problem.config.key_token)
    return check
