"""erratic: drops, delays or truncates answers, for testing (coredns plugin/erratic/setup.go)."""
from ..spec import ANSWERS_ALL, READS_FIXED, Plugin, Prop
from ._dispenser import ignored

AMOUNT = "amount:int(0..2147483647)?"


def _ignored_arguments(directive, ctx):
    # Setup only walks the block; words on the directive's line are skipped without a word.
    for tok in directive.args:
        yield ignored(tok, f"erratic takes no arguments; '{tok.text}' is ignored")


PLUGIN = Plugin(
    name="erratic",
    summary="Answers with made-up A/AAAA records, dropping, delaying or truncating every Nth reply (testing).",
    args="ignored:str*",
    free_args=True,
    block=True,
    answers=ANSWERS_ALL,     # erratic.go ServeDNS answers (or drops) every query that reaches it
    props=(
        Prop("drop", AMOUNT),
        Prop("delay", AMOUNT + " duration:duration?"),
        Prop("truncate", AMOUNT),
        # `large` reads no words: the next one on its line is taken as the next property.
        Prop("large", "", since="1.2.5", reads=READS_FIXED),
    ),
    checks=(_ignored_arguments,),
)
