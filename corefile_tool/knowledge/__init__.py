"""What CoreDNS knows about its plugins, as data: one module per plugin under plugins/, value types in values.py,
versions and execution order in versions.py. lint, simulate, fmt and migrate all read it from here."""
