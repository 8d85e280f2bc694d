"""cache: caches answers (coredns plugin/cache/setup.go)."""
from ..spec import Plugin, Prop

PLUGIN = Plugin(
    name="cache",
    summary="Caches positive and negative answers for up to TTL seconds.",
    args="ttl:int(1..)? zones:zone*",
    block=True,
    once=True,
    zones=True,
    props=(
        Prop("success", "capacity:int ttl:int(1..)? minttl:int(0..)?"),
        Prop("denial", "capacity:int ttl:int(1..)? minttl:int(0..)?"),
        Prop("prefetch", "amount:int(1..) duration:duration? percentage:str?", free_args=True),
        Prop("serve_stale", "duration:duration? mode:enum(immediate|verify)?"),
        Prop("servfail", "duration:duration(0..300)"),
        Prop("disable", "kind:enum(success|denial) zones:zone*"),
        Prop("keepttl", "", since="1.10.0"),
    ),
)
