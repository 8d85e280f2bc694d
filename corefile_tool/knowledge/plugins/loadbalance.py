"""loadbalance: shuffles or weights the order of A/AAAA/MX records (coredns plugin/loadbalance/setup.go)."""
from ..spec import Plugin, Prop, version_tuple
from ._setup_helpers import locate, missing_file


def _check(directive, ctx):
    args = directive.args
    weighted = bool(args) and args[0].text == "weighted"
    if args:
        policy = args[0]
        if policy.text == "round_robin":
            if len(args) > 1:
                yield args[1], f"unknown property for {policy.text}"
                return
        elif weighted and version_tuple(ctx.version) >= (1, 10, 1):
            if len(args) < 2:
                yield policy, "missing weight file argument"
                return
            if len(args) > 2:
                yield args[2], "unexpected argument(s)"
                return
        else:
            yield policy, f"unknown policy: {policy.text}"
            return
    if directive.block is not None:
        allowed = "reload" if weighted else "prefer"
        for line in directive.block.directives:
            if line.name != allowed:
                yield line.name_token, f"unknown property '{line.name}'"
                return
    if weighted and len(args) == 2 and locate(ctx, args[1], args[1].text) is None:
        yield missing_file(args[1], args[1].text, "weight file")


PLUGIN = Plugin(
    name="loadbalance",
    summary="Randomises (round_robin) or weights (weighted FILE) the order of address records in answers.",
    free_args=True,
    block=True,
    props=(
        Prop("prefer", "subnets:cidr*", since="1.12.4"),
        Prop("reload", "duration:duration", since="1.10.1"),
    ),
    checks=(_check,),
)
