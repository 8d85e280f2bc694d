"""ready: HTTP readiness endpoint (coredns plugin/ready/setup.go)."""
from ..spec import Plugin, Prop, says
from .health import _address

PLUGIN = Plugin(
    name="ready",
    summary="Serves http://ADDRESS/ready (default :8181) returning 200 OK once every plugin that reports readiness is ready.",
    args="address:str?",
    block=True,
    once=True,
    props=(
        Prop("monitor", "mode:enum(until-ready|continuously)", since="1.12.2",
             says=says(invalid="monitor type '{value}' not supported")),
    ),
    checks=(_address,),
)
