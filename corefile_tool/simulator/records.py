"""Resource records as text: parse one record the way miekg/dns `NewRR` does, and print rdata canonically.

dnspython does the rdata work; it is imported only when a record has to be parsed (template answers, zone
files), so routing-only simulations never load it.
"""
from __future__ import annotations

from .model import Record

_CLASSES = {"IN", "CH", "CS", "HS", "NONE", "ANY"}


class RecordError(ValueError):
    pass


def parse_rr(text: str, default_ttl: int = 3600) -> Record:
    """One RR in zone-file syntax: NAME [TTL] [CLASS] TYPE RDATA (TTL and CLASS in either order)."""
    import dns.exception
    import dns.name
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    words = text.split()
    if len(words) < 2:
        raise RecordError(f"not a resource record: {text!r}")
    name = words[0]
    i = 1
    ttl = None
    cls = "IN"
    for _ in range(2):
        if i < len(words) and words[i].isdigit() and ttl is None:
            ttl = int(words[i])
            i += 1
        elif i < len(words) and words[i].upper() in _CLASSES:
            cls = words[i].upper()
            i += 1
    if i >= len(words):
        raise RecordError(f"no record type in {text!r}")
    rtype = words[i].upper()
    rdata_text = text.split(None, i + 1)[i + 1] if len(words) > i + 1 else ""
    try:
        rdtype = dns.rdatatype.from_text(rtype)
        dns.rdataclass.from_text(cls)           # the class must be one miekg/dns knows
        # miekg/dns (dns.NewRR) reads the data by type alone, whatever the class: a CH A record has an IPv4
        # address as in IN (dnspython's own CH A is the Chaosnet record), so the data is read as class IN's.
        rd = dns.rdata.from_text(dns.rdataclass.IN, rdtype, rdata_text, origin=dns.name.root, relativize=False)
        owner = dns.name.from_text(name, origin=dns.name.root)
    except (dns.exception.DNSException, ValueError) as e:
        raise RecordError(f"bad record {text!r}: {e}") from None
    return Record(owner.to_text(), dns.rdatatype.to_text(rdtype), default_ttl if ttl is None else ttl,
                  rd.to_text(), cls)


def from_rdata(owner, ttl: int, rdata, cls: str = "IN") -> Record:
    import dns.rdatatype

    return Record(owner.to_text() if hasattr(owner, "to_text") else str(owner),
                  dns.rdatatype.to_text(rdata.rdtype), int(ttl), rdata.to_text(), cls)


def address_record(name: str, ip: str, ttl: int) -> Record:
    return Record(name, "AAAA" if ":" in ip else "A", ttl, _canonical_ip(ip))


def _canonical_ip(ip: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


def txt(name: str, ttl: int, text: str, cls: str = "IN") -> Record:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return Record(name, "TXT", ttl, f'"{escaped}"', cls)


def zone_file_rrs(path: str, origin: str) -> list:
    """Every resource record of a zone file, in file order, as (owner, ttl, rdata) with dnspython objects.

    Read the way miekg/dns's ZoneParser hands records to CoreDNS (plugin/file/file.go Parse): one record at a
    time, nothing merged into RRsets (two records of one name and type keep their own TTLs, duplicates stay),
    a CNAME may sit beside other data, names outside the origin are kept, $INCLUDE is allowed, and a record
    without a TTL takes the last one stated when there is no $TTL (scan.go). dnspython's tokenizer and rdata
    parsers do the text work; raises ValueError with the parser's message on a syntax error."""
    import os

    import dns.exception
    import dns.name
    import dns.rdataclass
    import dns.tokenizer
    import dns.zonefile

    try:
        zone_origin = dns.name.from_text(origin)
    except dns.exception.DNSException as e:
        raise ValueError(f"bad origin {origin!r}: {e}") from None
    records: list = []

    class _Manager:
        @staticmethod
        def origin_information():
            # The root as the reader's zone origin: no name is dropped as out of zone (CoreDNS inserts them).
            return dns.name.root, False, dns.name.root

    class _Collect:
        manager = _Manager()

        def add(self, name, ttl, rdata):
            records.append((name, ttl, rdata))

        def check_put_rdataset(self, _check):
            pass

        def _set_origin(self, _origin):
            pass

        def get_node(self, _name):
            return None

        def add_unicode(self, _value):
            pass

    class _Tokenizer(dns.tokenizer.Tokenizer):
        """miekg/dns opens a relative $INCLUDE next to the including file (scan.go), dnspython from the working
        directory: the file name after $INCLUDE is made absolute here."""
        _after_include = False

        def get(self, want_leading=False, want_comment=False):
            token = super().get(want_leading, want_comment)
            if self._after_include and token.is_identifier() and not os.path.isabs(token.value):
                token = dns.tokenizer.Token(token.ttype, os.path.join(os.path.dirname(path), token.value),
                                            token.has_escape)
            self._after_include = token.is_identifier() and token.value.upper() == "$INCLUDE"
            return token

    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            reader = dns.zonefile.Reader(_Tokenizer(fh, path), dns.rdataclass.IN, _Collect(),
                                         allow_include=True)
            reader.current_origin = zone_origin
            reader.read()
    except dns.exception.DNSException as e:
        raise ValueError(str(e) or type(e).__name__) from None
    return records
