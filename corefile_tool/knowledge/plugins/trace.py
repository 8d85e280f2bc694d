"""trace: OpenTracing spans to zipkin or datadog (coredns plugin/trace/setup.go).

Versions: datadog_analytics_rate 1.8.0; zipkin_max_* 1.9.4; unknown properties are errors from 1.14.4
(earlier setup skipped them).
"""
from ..spec import Plugin, Prop, says
from ._dispenser import arg_error

ENDPOINT_TYPES = ("zipkin", "datadog")


def _endpoint(directive, ctx):
    """trace [[TYPE] ENDPOINT]: with two words the first is the type (lower-cased before the lookup)."""
    args = directive.args
    if len(args) > 2:
        yield args[2], arg_error(args[-1])     # RemainingArgs, then ArgErr on the line's last word
    elif len(args) == 2 and args[0].text.lower() not in ENDPOINT_TYPES:
        yield args[0], f"tracing endpoint type '{args[0].text.lower()}' is not supported"


PLUGIN = Plugin(
    name="trace",
    summary="Traces every query as a span sent to a zipkin (default localhost:9411) or datadog endpoint.",
    args="type_or_endpoint:str? endpoint:str?",
    free_args=True,
    block=True,
    ignores_unknown_until="1.14.4",
    props=(
        Prop("every", "n:uint"),
        Prop("service", "name:str"),
        Prop("client_server", "enabled:bool?"),
        # NaN passes setup's `rate > 1 || rate < 0` test, as it passes the float range check.
        Prop("datadog_analytics_rate", "rate:float(0..1)?", since="1.8.0",
             says=says(range="datadog analytics rate must be between 0 and 1, '{value}' is not supported")),
        Prop("zipkin_max_backlog_size", "size:int", since="1.9.4"),
        Prop("zipkin_max_batch_size", "size:int", since="1.9.4"),
        Prop("zipkin_max_batch_interval", "interval:duration", since="1.9.4"),
    ),
    checks=(_endpoint,),
)
