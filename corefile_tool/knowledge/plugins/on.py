"""on: runs a command on a server event (coredns/caddy onevent/on.go, hook/config.go)."""
from ..spec import Plugin


def _command(directive, ctx):
    """The words after EVENT are joined with spaces and split again like a Unix shell would."""
    rest = directive.args[1:]
    if not rest:
        return
    import shlex

    line = " ".join(t.text for t in rest)
    try:
        parts = shlex.split(line)
    except ValueError as e:
        yield rest[0], f"error parsing command: {e}"
        return
    if not parts:
        yield rest[0], f"no command contained in '{line}'"


PLUGIN = Plugin(
    name="on",
    summary="Runs COMMAND [ARGS...] when the server starts up, shuts down or renews a certificate.",
    args="event:ienum(startup|shutdown|certrenew) command:str+",
    checks=(_command,),
)
