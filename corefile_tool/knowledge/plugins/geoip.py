"""geoip: looks up the client's location in a MaxMind database (coredns plugin/geoip/setup.go).

Versions: the plugin arrived in 1.8.5, edns-subnet in 1.9.2. The database is opened at start-up.
"""
from ..spec import READS_FIXED, Plugin, Prop, says
from ._dispenser import start_up_files


def _database(directive, ctx):
    yield from start_up_files(ctx, directive.args[:1], "GeoIP database")


PLUGIN = Plugin(
    name="geoip",
    summary="Adds the client's city/country (from a MaxMind GeoIP2 database) to the request metadata.",
    args="database:str",
    block=True,
    once=True,
    once_message="configuring multiple databases is not supported",
    since="1.8.5",
    # The block loop only compares each word with "edns-subnet": a word after it on its line is read as the next
    # property, a `}` there closes the block.
    props=(
        Prop("edns-subnet", "", since="1.9.2", reads=READS_FIXED),
    ),
    says=says(unknown='unknown property "{name}"'),
    checks=(_database,),
)
