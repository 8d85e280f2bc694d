"""on: runs a command on a server event (coredns/caddy onevent/on.go, hook/config.go).

The words after EVENT are joined with spaces and split again by caddy.SplitCommandAndArgs, which uses
github.com/flynn/go-shlex on Unix: that lexer knows ASCII letters, digits and a fixed set of punctuation only
(any other rune outside quotes, such as a backtick or a non-ASCII letter, is an error), and a word that starts
with `#` comments out the rest of the line.
"""
from ..spec import Plugin

# flynn/go-shlex shlex.go rune classes.
_CHAR = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-,/@$*()+=><:;&^%~|!?[]{}")
_SPACE = set(" \t\r\n")


def _kind(c: str) -> str:
    if c in _CHAR:
        return "char"
    if c in _SPACE:
        return "space"
    return {'"': "dquote", "'": "squote", "\\": "escape", "#": "comment"}.get(c, "unknown")


def go_shlex_split(text: str):
    """flynn/go-shlex Split: (words, None) or (None, its error)."""
    words = []
    pos, n = 0, len(text)
    while True:
        state, value, is_word = "start", [], False
        while True:
            c = text[pos] if pos < n else None
            pos += 1
            kind = "eof" if c is None else _kind(c)
            if state == "start":
                if kind == "eof":
                    return words, None
                if kind == "char":
                    value.append(c)
                    state, is_word = "inword", True
                elif kind == "space":
                    pass
                elif kind == "dquote":
                    state, is_word = "dquoted", True
                elif kind == "squote":
                    state, is_word = "squoted", True
                elif kind == "escape":
                    state, is_word = "escaping", True
                elif kind == "comment":
                    state = "comment"
                else:
                    return None, f"Unknown rune: {ord(c)}"
            elif state == "inword":
                if kind == "eof":
                    break
                if kind in ("char", "comment"):
                    value.append(c)
                elif kind == "space":
                    pos -= 1
                    break
                elif kind == "dquote":
                    state = "dquoted"
                elif kind == "squote":
                    state = "squoted"
                elif kind == "escape":
                    state = "escaping"
                else:
                    return None, f"Uknown rune: {ord(c)}"
            elif state in ("escaping", "escaping_quoted"):
                if kind == "eof":
                    return None, "EOF found after escape character"
                if kind == "unknown":
                    return None, f"Uknown rune: {ord(c)}"
                value.append(c)
                state = "inword" if state == "escaping" else "dquoted"
            elif state == "dquoted":
                if kind == "eof":
                    return None, "EOF found when expecting closing quote."
                if kind == "dquote":
                    state = "inword"
                elif kind == "escape":
                    state = "escaping_quoted"
                else:
                    value.append(c)
            elif state == "squoted":
                if kind == "eof":
                    return None, "EOF found when expecting closing quote."
                if kind == "squote":
                    state = "inword"
                else:
                    value.append(c)
            else:  # comment: up to a newline (never in a joined line) or the end
                if kind == "eof":
                    break
                if c == "\n":
                    break
        if is_word:
            words.append("".join(value))


def _command(directive, ctx):
    rest = directive.args[1:]
    line = " ".join(t.text for t in rest)
    parts, err = go_shlex_split(line)
    at = rest[0] if rest else directive.args[0] if directive.args else directive.name_token
    if err:
        yield at, f"error parsing command: {err}"
    elif not parts:
        yield at, f"no command contained in '{line}'"


PLUGIN = Plugin(
    name="on",
    summary="Runs COMMAND [ARGS...] when the server starts up, shuts down or renews a certificate.",
    args="event:ienum(startup|shutdown|certrenew) command:str*",
    checks=(_command,),
)
