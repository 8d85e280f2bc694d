"""One module per CoreDNS plugin, each defining PLUGIN = Plugin(...) (see ../spec.py)."""
