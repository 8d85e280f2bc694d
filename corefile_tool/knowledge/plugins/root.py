"""root: the directory relative file names are read from (coredns plugin/root/root.go)."""
from ..spec import Plugin

# A root that does not exist only gets a warning in CoreDNS's log (the folder may appear later).
PLUGIN = Plugin(
    name="root",
    summary="Sets the directory that relative file names of other plugins (file, hosts, tls...) are joined to.",
    args="path:path",
)
