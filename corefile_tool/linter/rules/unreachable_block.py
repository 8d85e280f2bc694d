"""Server blocks that no query can reach."""
CODE = "unreachable-block"
SEVERITY = "warning"
SUMMARY = "A server block no query reaches: `bind` excepts every address, or a block without a view serves its zone first."
DOC = """
CoreDNS starts, but the block never answers anything:

- `bind ADDR { except ADDR }` that removes every address leaves the block with no listener at all;
- blocks for the same zone and listener are tried in Corefile order and the first whose `view` matches answers;
  a block without a `view` matches everything, so a `view` block after it never sees a query for that zone (only
  DS queries, which go to the last matching block, may still reach it). Put view blocks first, the catch-all last.

Bad:

    example.org {
        forward . 10.0.0.1
    }
    example.org {
        view internal {
            expr incidr(client_ip(), '10.0.0.0/8')
        }
        forward . 10.0.0.2
    }

Good:

    example.org {
        view internal {
            expr incidr(client_ip(), '10.0.0.0/8')
        }
        forward . 10.0.0.2
    }
    example.org {
        forward . 10.0.0.1
    }
"""


def check(corefile, ctx):
    from ...listeners import bind_addresses

    for block in corefile.server_blocks:
        binds = ctx.find(block, "bind")
        if binds and block.keys and all(d.args for d in binds):
            if not bind_addresses(block).hosts:
                yield ctx.diagnostic(CODE, SEVERITY,
                                     "`except` removes every address `bind` lists: CoreDNS listens for this block "
                                     "on no address at all", binds[0].name_token)
    reported = set()
    for listener, configs in ctx.listeners().items():
        catch_all = {}
        for conf in configs:
            if not conf.filtered:
                catch_all.setdefault(conf.zone, conf)
            elif conf.zone in catch_all and id(conf.block) not in reported:
                reported.add(id(conf.block))
                first = catch_all[conf.zone]
                yield ctx.diagnostic(CODE, SEVERITY,
                                     f"the block at line {first.key_token.line} serves '{conf.zone}' on {listener} "
                                     f"without a view and comes first, so this view block never sees its queries "
                                     f"(DS queries excepted): put view blocks before the catch-all",
                                     conf.key_token)
