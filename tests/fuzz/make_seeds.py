#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py -- write the hand-made seed inputs of the
careq, fileproto and filesink fuzz targets into DIR/<target>/ (default
tests/fuzz/corpus).  The committed corpora are these seeds plus what long
runs grew (scripts/fuzz.sh --grow); rerunning this only adds files."""
import hashlib
import json
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- careq: one JSON request per line ----------------------------------
def reqs(*objs):
    return "\n".join(o if isinstance(o, str) else json.dumps(o)
                     for o in objs) + "\n"


ENROLL = {"op": "enroll", "username": "alice", "password": "alice-pw",
          "public_key": "$PUB"}
CH = {"op": "challenge"}
RENEW = {"op": "renew", "certificate": "$CERT", "signature": "$SIG"}


def admin(action, target, cert="$ROOT"):
    return {"op": "admin", "action": action, "target": target,
            "certificate": cert, "signature": "$SIG"}


careq = {
    "enroll": reqs(ENROLL),
    "enroll-names": reqs(dict(ENROLL, names=["host.example", "127.0.0.1",
                                             "::1", "*.example.org"])),
    "enroll-badnames": reqs(dict(ENROLL, names=["bad name!", "a" * 300]),
                            dict(ENROLL, names="host"),
                            dict(ENROLL, names=[1, 2]),
                            dict(ENROLL, names=["h%d.example" % i
                                                for i in range(40)])),
    "enroll-badname": reqs(dict(ENROLL, names=["bad name!"]),
                           dict(ENROLL, names=["999.1.1.1", "-x.example"])),
    "nested": reqs(dict(ENROLL, extra=json.loads("[" * 60 + "]" * 60))),
    "enroll-wrongpw": reqs(dict(ENROLL, password="nope"),
                           dict(ENROLL, password="nope"), ENROLL),
    "enroll-unknown": reqs(dict(ENROLL, username="mallory")),
    "enroll-disabled": reqs(dict(ENROLL, username="bob", password="bob-pw")),
    "enroll-root": reqs(dict(ENROLL, username="root", password="root-pw")),
    "enroll-badkey": reqs(dict(ENROLL, public_key="-----BEGIN PUBLIC KEY-----\n"
                               "MAoCAQUCAwEAAQ==\n-----END PUBLIC KEY-----\n"),
                          dict(ENROLL, public_key="$CA"),
                          dict(ENROLL, public_key="")),
    "enroll-types": reqs({"op": "enroll", "username": 5, "password": None,
                          "public_key": ["$PUB"]},
                         {"op": "enroll"},
                         dict(ENROLL, username="../../etc"),
                         dict(ENROLL, username="a" * 100),
                         dict(ENROLL, password="x" * 9000)),
    "renew": reqs(CH, RENEW),
    "renew-root": reqs(CH, dict(RENEW, certificate="$ROOT")),
    "renew-nochallenge": reqs(RENEW),
    "renew-badsig": reqs(CH, dict(RENEW, signature="AAAA"),
                         CH, dict(RENEW, signature="!!"),
                         CH, dict(RENEW, certificate="$CA")),
    "renew-twice": reqs(CH, RENEW, RENEW, CH, CH, RENEW),
    "renew-garbage": reqs(CH, dict(RENEW, certificate="-----BEGIN CERTIFICATE"
                                   "-----\nMIIB\n-----END CERTIFICATE-----\n")),
    "admin-revoke": reqs(CH, admin("revoke", "$SERIAL"), {"op": "revocations"},
                         CH, RENEW),
    "admin-revoke-twice": reqs(CH, admin("revoke", "$SERIAL"),
                               CH, admin("revoke", "$SERIAL")),
    "admin-disable": reqs(CH, admin("disable", "alice"), ENROLL, CH, RENEW),
    "admin-enable": reqs(CH, admin("enable", "bob"),
                         dict(ENROLL, username="bob", password="bob-pw")),
    "admin-notadmin": reqs(CH, admin("disable", "root", "$CERT")),
    "admin-bad": reqs(CH, admin("explode", "alice"),
                      CH, admin("revoke", "00"),
                      CH, admin("disable", "nobody"),
                      CH, admin("enable", "a\nb"),
                      admin("revoke", "$SERIAL")),
    "revocations": reqs({"op": "revocations"}),
    "unknown": reqs({"op": "delete-everything"}, {"op": 7}, {},
                    {"OP": "enroll"}),
    "notjson": "{\"op\":\"challenge\"}\nnot json\n{\"op\":\"revocations\"}\n",
    "list": reqs("[1,2,3]", CH),
    "deep": "{\"op\":\"enroll\",\"x\":" + "[" * 70 + "]" * 70 + "}\n",
    "badutf8": b"{\"op\":\"enroll\",\"username\":\"\xff\xfe\"}\n",
    "dup": "{\"op\":\"challenge\",\"op\":\"renew\"}\n",
}
for k, v in careq.items():
    put("careq", k, v)


# ---- fileproto: 8-byte header + payload ---------------------------------
def hdr(t, flags, stream, length):
    return struct.pack(">BBHI", t, flags, stream, length)


H = hashlib.sha256(b"hello").digest()
name = b"report.pdf"
begin = struct.pack(">QqBBH", 1234, 1700000000, 3, 0, len(name)) + name
fp = {
    "begin": hdr(0x10, 1, 1, len(begin)) + begin,
    "begin-nomtime": hdr(0x10, 1, 2, 30) + struct.pack(">QqBBH", 5, 99, 0, 0,
                                                       10) + b"a/../b.txt",
    "begin-badopt": hdr(0x10, 1, 1, 21) + struct.pack(">QqBBH", 1, 0, 0x80, 0,
                                                      1) + b"x",
    "begin-longname": hdr(0x10, 1, 1, 1020) + struct.pack(">QqBBH", 1, 0, 0, 0,
                                                          1000) + b"n" * 1000,
    "begin-shortname": hdr(0x10, 1, 1, 25) + struct.pack(">QqBBH", 1, 0, 0, 0,
                                                         9) + b"abcde",
    "chunk": hdr(0x11, 1, 1, 13) + struct.pack(">Q", 0) + b"hello",
    "chunk-far": hdr(0x11, 1, 7, 9) + struct.pack(">Q", 2**64 - 1) + b"z",
    "end": hdr(0x12, 1, 1, 32) + H,
    "receipt": hdr(0x16, 1, 1, 32) + H,
    "cancel": hdr(0x13, 1, 1, 9) + b"\x00\x00\x06" + b"policy",
    "cancel-recv": hdr(0x13, 1, 1, 7) + b"\x01\x10\x00" + "é€".encode()[:4],
    "cancel-badutf8": hdr(0x13, 1, 1, 5) + b"\x00\x00\x02\xc3\x28",
    "cancel-long": hdr(0x13, 1, 1, 1024) + b"\x00\x00\x07" + "€".encode() * 340
    + b"x",
    "cancel-nul": hdr(0x13, 1, 1, 6) + b"\x01\x00\x01a\x00b",
    "cancel-role": hdr(0x13, 1, 1, 3) + b"\x05\x00\x00",
    "accept": hdr(0x14, 1, 1, 9) + struct.pack(">QB", 0, 0),
    "accept-prove": hdr(0x14, 1, 1, 9) + struct.pack(">QB", 4096, 1),
    "accept-prove0": hdr(0x14, 1, 1, 9) + struct.pack(">QB", 0, 1),
    "accept-badflag": hdr(0x14, 1, 1, 9) + struct.pack(">QB", 1, 6),
    "prefix": hdr(0x15, 1, 1, 40) + struct.pack(">Q", 4096) + H,
    "window": hdr(0x17, 1, 1, 8) + struct.pack(">Q", 1 << 20),
    "window-short": hdr(0x17, 1, 1, 7) + b"\x00" * 7,
    "reserved": hdr(0x18, 1, 1, 0),
    "badflags": hdr(0x12, 3, 1, 32) + H,
    "stream0": hdr(0x12, 1, 0, 32) + H,
    "toolong": hdr(0x13, 1, 1, 2000) + b"\x00\x00\x00",
    "data-type": hdr(0x01, 1, 1, 3) + b"abc",
}
for k, v in fp.items():
    put("fileproto", k, v)


# ---- filesink: config byte + operations ---------------------------------
def op(code, slot=0):
    return bytes([(slot << 4) | code])


def OPEN(nm, size, slot=0, flags=0, mt=0):
    if isinstance(nm, str):
        nm = nm.encode()
    return op(0, slot) + bytes([flags, len(nm)]) + nm + struct.pack(">HB",
                                                                  size, mt)


def WRITE(data, slot=0):
    return op(1, slot) + bytes([len(data)]) + data


def FILL(n, b, slot=0):
    return op(2, slot) + struct.pack(">HB", n, b)


def BADOFF(d, slot=0):
    return op(3, slot) + bytes([d])


def FIN(slot=0):
    return op(4, slot)


def FINBAD(h, slot=0):
    return op(5, slot) + h


def PROVE(mode, slot=0):
    return op(6, slot) + bytes([mode])


def DECLINE(slot=0):
    return op(7, slot)


def CLOSE(keep, slot=0):
    return op(8, slot) + bytes([keep])


def MSG(slot=0):
    return op(9, slot)


RESUME, UNIQUE, OVER = 0x01, 0x02, 0x04
MEM16, MEM256, MEM4K = 0x08, 0x10, 0x18
CKPT = 0x20
MAX1K, MAX8K, MAX64K = 0x40, 0x80, 0xc0
fs = {
    "disk": bytes([0]) + OPEN("a.txt", 10) + WRITE(b"0123456789") + FIN()
    + MSG() + CLOSE(0),
    "memory": bytes([MEM256]) + OPEN("m.bin", 5) + WRITE(b"hello") + FIN()
    + MSG() + MSG() + CLOSE(0),
    "empty": bytes([0]) + OPEN("zero", 0) + FIN() + MSG(),
    "resume": bytes([RESUME | CKPT]) + OPEN("r.dat", 300, flags=1, mt=7)
    + FILL(100, 0x41) + CLOSE(1) + OPEN("r.dat", 300, flags=1, mt=7)
    + PROVE(0) + FILL(200, 0x42) + FIN() + MSG(),
    "resume-badproof": bytes([RESUME]) + OPEN("r.dat", 50) + FILL(20, 1)
    + CLOSE(1) + OPEN("r.dat", 50) + PROVE(1) + FILL(50, 2) + FIN(),
    "resume-badoff": bytes([RESUME]) + OPEN("r.dat", 50) + FILL(20, 1)
    + CLOSE(1) + OPEN("r.dat", 50) + PROVE(2) + FIN(),
    "resume-decline": bytes([RESUME]) + OPEN("d", 50) + FILL(20, 1)
    + CLOSE(1) + OPEN("d", 50) + DECLINE() + DECLINE() + FILL(50, 3) + FIN(),
    "resume-keepwait": bytes([RESUME]) + OPEN("w", 40) + FILL(10, 1)
    + CLOSE(1) + OPEN("w", 40) + CLOSE(1) + OPEN("w", 40) + PROVE(0)
    + FILL(30, 1) + FIN(),
    "resume-twice": bytes([RESUME]) + OPEN("t", 40) + OPEN("t", 40, slot=1)
    + FILL(10, 1) + FILL(10, 2, slot=1) + CLOSE(1) + CLOSE(1, slot=1)
    + OPEN("t", 40, slot=2) + PROVE(0, slot=2),
    "unique": bytes([UNIQUE]) + OPEN("same.txt", 3) + WRITE(b"one") + FIN()
    + OPEN("same.txt", 3, slot=1) + WRITE(b"two", slot=1) + FIN(slot=1)
    + OPEN("same.txt", 5) + WRITE(b"three") + FIN(),
    "exists": bytes([0]) + OPEN("x", 1) + WRITE(b"1") + FIN() + OPEN("x", 1)
    + WRITE(b"2") + FIN(),
    "overwrite": bytes([OVER]) + OPEN("o", 1) + WRITE(b"1") + FIN()
    + OPEN("o", 2) + WRITE(b"22") + FIN() + MSG(),
    "toobig": bytes([MAX1K]) + OPEN("big", 2000) + OPEN("huge", 0, flags=2)
    + OPEN("ok", 1000) + FILL(1001, 0) + FIN(),
    "past-size": bytes([0]) + OPEN("p", 4) + WRITE(b"12345") + FIN(),
    "badoff": bytes([0]) + OPEN("b", 4) + WRITE(b"12") + BADOFF(0)
    + WRITE(b"34") + FIN(),
    "badoff-back": bytes([0]) + OPEN("b", 4) + WRITE(b"12") + BADOFF(3),
    "short": bytes([0]) + OPEN("s", 10) + WRITE(b"123") + FIN() + MSG(),
    "wronghash": bytes([MEM16]) + OPEN("h", 3) + WRITE(b"abc")
    + FINBAD(hashlib.sha256(b"abd").digest()) + MSG(),
    "righthash-bytes": bytes([0]) + OPEN("h", 3) + WRITE(b"abc")
    + FINBAD(hashlib.sha256(b"abc").digest()) + FIN(),
    "names": bytes([UNIQUE]) + b"".join(
        OPEN(n, 1) + WRITE(b"x") + FIN() for n in
        ["../../escape", "..", "/etc/passwd", "C:\\win\\x", ".hidden",
         "CON", "nul.txt", "a/b\\c", "dir/", "x" * 250, "e\u202eexe.txt",
         "tab\tname", "trail. . ."]),
    "name-badutf8": bytes([0]) + OPEN(b"\xff\xfe", 1) + OPEN(b"a\x00b", 1),
    "concurrent": bytes([UNIQUE | MEM16]) + OPEN("c", 20) + OPEN("c", 20, 1)
    + OPEN("c", 8, 2) + OPEN("d", 20, 3) + FILL(20, 1) + FILL(20, 2, 1)
    + FILL(8, 3, 2) + FIN(1) + FIN(0) + FIN(2) + CLOSE(0, 3) + MSG(2),
    "big-ckpt": bytes([RESUME | CKPT | MAX64K]) + OPEN("big", 60000)
    + FILL(16384, 7) + FILL(16384, 8) + CLOSE(1) + OPEN("big", 60000)
    + PROVE(0) + FILL(16384, 9) + FILL(10848, 10) + FIN(),
    "after-done": bytes([0]) + OPEN("q", 1) + WRITE(b"1") + FIN()
    + WRITE(b"2") + FIN() + PROVE(0) + DECLINE() + MSG(),
}
for k, v in fs.items():
    put("filesink", k, v)
