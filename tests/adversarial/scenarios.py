"""Attack scenarios of the hostile-peer suite (run by run.py).

Each scenario is a function scenario(ctx) that attacks the server at
ctx.port and records its findings with ctx.check(cond, message) (a failed
check fails the suite) and ctx.note(message).  ctx.cfg holds the limits
the server was started with (run.py, LIMITS).
"""

import errno
import os
import random
import select
import socket
import ssl
import struct
import subprocess
import threading
import time

import advlib as A


def _closed_all(ctx, name, times, bound):
    """Every connection closed (time not None) within bound seconds."""
    still = sum(1 for t in times if t is None)
    late = [t for t in times if t is not None and t > bound]
    worst = max([t for t in times if t is not None] or [0.0])
    ctx.note("%s: %d connections, worst close after %.2f s (bound %.1f s)"
             % (name, len(times), worst, bound))
    ctx.check(still == 0, "%s: %d connection(s) still open after %.1f s"
              % (name, still, bound))
    ctx.check(not late, "%s: %d connection(s) closed later than %.1f s"
              % (name, len(late), bound))


def _parallel(fns):
    """Run the functions on threads; return their results in order."""
    res = [None] * len(fns)

    def run(i, fn):
        try:
            res[i] = fn()
        except Exception as e:  # a crashed attacker must not hide results
            res[i] = e
    ts = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(fns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return res


# ---- before TLS -------------------------------------------------------------

def garbage(ctx):
    """Plaintext instead of TLS: an HTTP request, random bytes, a record
    header announcing 16 MiB: reset at once."""
    rnd = random.Random(1)
    payloads = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                bytes(rnd.getrandbits(8) for _ in range(4096)),
                b"\x16\x03\x03\xff\xff" + b"\x00" * 100,
                b"\x17\x03\x03\x00\x10" + b"\x00" * 16,
                b"\x00" * 10]

    def one(p):
        s = A.tcp_connect(ctx.port)
        try:
            s.sendall(p)
        except OSError:
            return 0.0
        t = A.wait_closed(s, ctx.fast_bound + 2)
        s.close()
        return t
    times = _parallel([lambda p=p: one(p) for p in payloads * 4])
    times = [t if not isinstance(t, Exception) else 0.0 for t in times]
    _closed_all(ctx, "garbage", times, ctx.fast_bound)


def mid_handshake(ctx):
    """A real ClientHello and then silence, and a TCP connect with nothing
    at all: closed by the handshake timeout."""
    ch = A.client_hello_bytes()
    socks = []
    for i in range(20):
        s = A.tcp_connect(ctx.port)
        if i % 2 == 0:
            s.sendall(ch)
        socks.append(s)
    bound = ctx.hs_bound
    times = _parallel([lambda s=s: A.wait_closed(s, bound + 2)
                       for s in socks])
    for s in socks:
        s.close()
    _closed_all(ctx, "mid-handshake", times, bound)


def slowloris(ctx):
    """Drip a ClientHello one byte per second on 10 connections."""
    ch = A.client_hello_bytes()
    socks = [A.tcp_connect(ctx.port) for _ in range(10)]
    t0 = time.monotonic()
    closed = {}
    pos = 0
    deadline = t0 + ctx.hs_bound + 2
    while len(closed) < len(socks) and time.monotonic() < deadline:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                s.sendall(ch[pos:pos + 1])
            except OSError:
                closed[i] = time.monotonic() - t0
        pos = min(pos + 1, len(ch) - 1)
        end = time.monotonic() + 1.0
        while time.monotonic() < end and len(closed) < len(socks):
            open_socks = [s for i, s in enumerate(socks) if i not in closed]
            for s in A.wait_readable_any(open_socks, end - time.monotonic()):
                i = socks.index(s)
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    closed[i] = time.monotonic() - t0
    for s in socks:
        s.close()
    ctx.note("slowloris: %d bytes dripped per connection" % pos)
    _closed_all(ctx, "slowloris", [closed.get(i) for i in range(len(socks))],
                ctx.hs_bound)


# ---- many connections -----------------------------------------------------

def _flood(ctx, sources, per_source, wait):
    """Open len(sources) * per_source idle TCP connections (non-blocking,
    epoll); return {established: [...], refused_fast, times}, where times
    holds for each connection the seconds from establishment to the
    server's close (None: still open after `wait`)."""
    ep = select.epoll()
    conns = {}
    for src in sources:
        for _ in range(per_source):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind((src, 0))
            rc = s.connect_ex(("127.0.0.1", ctx.port))
            if rc not in (0, errno.EINPROGRESS):
                s.close()
                conns[object()] = {"sock": None, "est": None, "end": 0.0}
                continue
            conns[s.fileno()] = {"sock": s, "est": None, "end": None}
            ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN)
    t_start = time.monotonic()
    pending = sum(1 for c in conns.values() if c["sock"] is not None)
    while pending and time.monotonic() < t_start + wait:
        for fd, ev in ep.poll(0.2):
            c = conns[fd]
            now = time.monotonic()
            if c["est"] is None:
                c["est"] = now
                if ev & select.EPOLLOUT and not ev & (select.EPOLLIN |
                                                      select.EPOLLHUP |
                                                      select.EPOLLERR):
                    ep.modify(fd, select.EPOLLIN)
                    continue
            try:
                data = c["sock"].recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                c["end"] = now
                ep.unregister(fd)
                pending -= 1
    times = []
    for c in conns.values():
        if c["sock"] is None:
            times.append(0.0)  # refused at connect: closed at once
            continue
        if c["end"] is None:
            times.append(None)
        else:
            times.append(c["end"] - (c["est"] or t_start))
        c["sock"].close()
    ep.close()
    return times


def idle_flood(ctx):
    """5,000 idle TCP connections from 20 source addresses: those beyond
    max_sessions are reset at once, the others by the handshake timeout."""
    n_src, per = 20, 250
    sources = ["127.0.0.%d" % (10 + i) for i in range(n_src)]
    times = _flood(ctx, sources, per, ctx.hs_bound + 3)
    limit = ctx.cfg["session_limit"]
    fast = sum(1 for t in times if t is not None and t <= ctx.fast_bound)
    held = len(times) - fast
    ctx.note("idle flood: %d connections, %d reset within %.1f s, %d held "
             "a session slot (session limit %d, 1 taken by the good client)"
             % (len(times), fast, ctx.fast_bound, held, limit))
    ctx.check(held <= limit,
              "idle flood: %d connections held a session slot, more than "
              "the session limit %d" % (held, limit))
    ctx.check(fast >= len(times) - limit,
              "idle flood: only %d of %d connections beyond the session "
              "limit were refused within %.1f s"
              % (fast, len(times) - limit, ctx.fast_bound))
    _closed_all(ctx, "idle flood", times, ctx.hs_bound)


def per_address(ctx):
    """More connections from one address than max_sessions_per_address:
    the excess is reset at once, the rest by the handshake timeout."""
    per = ctx.cfg["per_address"]
    n = per + 40
    times = _flood(ctx, ["127.0.0.200"], n, ctx.hs_bound + 3)
    fast = sum(1 for t in times if t is not None and t <= ctx.fast_bound)
    ctx.note("per address: %d connections from 127.0.0.200, %d reset at "
             "once (limit %d per address)" % (n, fast, per))
    ctx.check(fast >= n - per and fast <= n - per + 5,
              "per address: %d of %d connections reset at once; expected "
              "%d (limit %d per address)" % (fast, n, n - per, per))
    _closed_all(ctx, "per address", times, ctx.hs_bound)


def storm(ctx):
    """Reconnect storms: 4 threads x 60 connect/handshake/HELLO/echo/close
    cycles, half of them resuming the TLS session, some ending in a RST."""
    cycles = ctx.cfg.get("storm_cycles", 60)

    def worker(w):
        ok, sess = 0, None
        for i in range(cycles):
            try:
                s, rd = A.secip_connect(ctx.port, timeout=10,
                                        session=sess if i % 2 else None)
                sess = s.session
                s.sendall(A.frame(A.T_BYTES, b"storm %d %d" % (w, i)))
                got = []
                while not any(f[0] == A.T_BYTES for f in got):
                    data = s.recv(65536)
                    if not data:
                        raise ConnectionError("closed")
                    got += rd.feed(data)
                if i % 5 == 4:
                    A.reset_close(s)
                else:
                    s.sendall(A.frame(A.T_CLOSE, struct.pack(">H", 0)))
                    s.close()
                ok += 1
            except Exception as e:
                ctx.note("storm worker %d cycle %d: %r" % (w, i, e))
        return ok
    t0 = time.monotonic()
    res = _parallel([lambda w=w: worker(w) for w in range(4)])
    total = sum(r for r in res if isinstance(r, int))
    ctx.note("storm: %d of %d cycles completed in %.1f s"
             % (total, 4 * cycles, time.monotonic() - t0))
    ctx.check(total == 4 * cycles, "storm: only %d of %d connect cycles "
              "completed" % (total, 4 * cycles))


# ---- after the handshake ----------------------------------------------------

def _expect_close(ctx, name, send, reasons, bound=None):
    """Connect, exchange HELLOs, send(sock), expect CLOSE with one of
    reasons and the connection closed within bound."""
    bound = ctx.fast_bound if bound is None else bound
    s, rd = A.secip_connect(ctx.port)
    try:
        send(s)
    except OSError:
        pass
    t, frames = A.read_until_close(s, rd, bound + 2)
    s.close()
    reason = A.close_reason(frames)
    ctx.check(t is not None and t <= bound,
              "%s: not closed within %.1f s (%s)" % (name, bound, t))
    if reasons is not None:
        ctx.check(reason in reasons, "%s: CLOSE reason %s, expected one of %s"
                  % (name, reason, reasons))
    return t


def oversized(ctx):
    """Frames above max_frame, messages above max_message (single and
    fragmented), an oversized control frame: CLOSE TOO_BIG/PROTOCOL."""
    mf = ctx.cfg["max_frame"]
    mm = ctx.cfg["max_message"]
    cases = [
        ("frame > max_frame", A.frame(A.T_BYTES, b"x" * 16, length=mf + 1),
         [A.R_TOO_BIG]),
        ("frame of 4 GiB", A.frame(A.T_BYTES, b"", length=0xffffffff),
         [A.R_TOO_BIG]),
        ("fragment total > max_message",
         A.frame(A.T_BYTES, struct.pack(">Q", mm + 1) + b"x", flags=0,
                 stream=1), [A.R_TOO_BIG]),
        ("control frame > 1024", A.frame(A.T_PING, b"", length=2000),
         [A.R_PROTOCOL, A.R_TOO_BIG]),
    ]
    times = []
    for name, data, reasons in cases:
        times.append(_expect_close(ctx, "oversized: " + name,
                                   lambda s, d=data: s.sendall(d), reasons))
    ctx.note("oversized: %d cases closed, worst %.2f s"
             % (len(cases), max(t or 0 for t in times)))


def wrong_types(ctx):
    """Undefined and misplaced frame types."""
    cases = [(t, [A.R_UNSUPPORTED, A.R_PROTOCOL])
             for t in (0x00, 0x05, 0x0f, 0x17, 0x1f, 0x25, 0x7f, 0xff)]
    for t, reasons in cases:
        _expect_close(ctx, "frame type 0x%02x" % t,
                      lambda s, t=t: s.sendall(A.frame(t, b"abc")), reasons)
    _expect_close(ctx, "second HELLO", lambda s: s.sendall(A.hello()),
                  [A.R_PROTOCOL])
    _expect_close(ctx, "reserved flag bits",
                  lambda s: s.sendall(A.frame(A.T_BYTES, b"x", flags=0x81)),
                  [A.R_PROTOCOL])
    _expect_close(ctx, "continuation of nothing",
                  lambda s: s.sendall(A.frame(A.T_BYTES, b"x", flags=CONT_FIN,
                                              stream=7)), [A.R_PROTOCOL])
    # data before HELLO (a TLS client that skips the secip/1 HELLO)
    s = A.tls_connect(ctx.port)
    s.sendall(A.frame(A.T_BYTES, b"no hello"))
    t = A.wait_closed(s, ctx.fast_bound + 2)
    s.close()
    ctx.check(t is not None and t <= ctx.fast_bound,
              "data before HELLO: not closed within %.1f s" % ctx.fast_bound)
    ctx.note("wrong types: %d cases closed" % (len(cases) + 4))


CONT_FIN = A.CONT | A.FIN


def bit_flips(ctx):
    """Random bit flips in TLS records after the handshake: a flip in a
    record's body fails its authentication (reset at once); a flip in a
    header may announce a longer record, then the idle timeout ends it."""
    rnd = random.Random(9)
    body_times, head_times = [], []

    def one(i, in_header):
        c = A.BioTLS(ctx.port)
        c.send(A.hello() + A.frame(A.T_BYTES, b"before the flip"))
        rd = A.FrameReader()
        deadline = time.monotonic() + 5
        frames = []
        while not any(f[0] == A.T_BYTES for f in frames):
            if time.monotonic() > deadline:
                raise TimeoutError("no echo before the flip")
            frames += rd.feed(c.recv_plain())
        rec = bytearray(c.records(A.frame(A.T_BYTES, b"y" * 200)))
        pos = rnd.randrange(0, 5) if in_header else rnd.randrange(5, len(rec))
        rec[pos] ^= 1 << rnd.randrange(8)
        c.sock.sendall(bytes(rec))
        bound = ctx.idle_bound if in_header else ctx.fast_bound
        t = A.wait_closed(c.sock, bound + 2)
        c.sock.close()
        return (in_header, t)
    res = _parallel([lambda i=i: one(i, i >= 16) for i in range(20)])
    for r in res:
        if isinstance(r, Exception):
            ctx.check(False, "bit flips: attacker failed: %r" % r)
            continue
        (head_times if r[0] else body_times).append(r[1])
    _closed_all(ctx, "bit flips in record bodies", body_times, ctx.fast_bound)
    _closed_all(ctx, "bit flips in record headers", head_times,
                ctx.idle_bound)


def renegotiation(ctx):
    """Renegotiation attempts.  (1) `openssl s_client` with its R command
    (a real TLS 1.2 renegotiation request over the established session;
    Python's ssl module cannot renegotiate); (2) a plaintext ClientHello
    record injected under the TLS layer of an established session.  The
    server never renegotiates (BearSSL BR_OPT_NO_RENEGOTIATION): the
    connection must end within its bound, the server stays up."""
    # (2) raw ClientHello inside an established connection
    c = A.BioTLS(ctx.port)
    c.send(A.hello())
    c.sock.sendall(A.client_hello_bytes())
    t = A.wait_closed(c.sock, ctx.fast_bound + 2)
    c.sock.close()
    ctx.check(t is not None and t <= ctx.fast_bound,
              "injected ClientHello: not closed within %.1f s (%s)"
              % (ctx.fast_bound, t))
    # (1) openssl s_client R
    exe = ctx.openssl
    if exe is None:
        ctx.note("renegotiation: openssl CLI not found, s_client case skipped")
        return
    cmd = [exe, "s_client", "-connect", "127.0.0.1:%d" % ctx.port,
           "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
           "-alpn", "secip/1"]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    time.sleep(0.5)
    try:
        p.stdin.write(b"R\n")
        p.stdin.flush()
    except OSError:
        pass
    bound = ctx.idle_bound
    try:
        out, _ = p.communicate(timeout=bound + 2)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        out += b"\n(killed)"
    t = time.monotonic() - t0
    text = out.decode("utf-8", "replace")
    reneg = "RENEGOTIATING" in text
    # BearSSL answers a renegotiation ClientHello with a no_renegotiation
    # alert; OpenSSL then gives up ("no renegotiation") and closes.
    refused = "no renegotiation" in text
    ctx.note("renegotiation: s_client asked to renegotiate: %s; ended "
             "after %.1f s; server refused (no_renegotiation alert): %s"
             % (reneg, t, refused))
    ctx.check(reneg, "renegotiation: s_client did not try (output: %s)"
              % text[-300:])
    ctx.check(refused, "renegotiation: no 'no renegotiation' refusal seen "
              "(output: %s)" % text[-300:])
    ctx.check(t <= bound + 0.5 and "(killed)" not in text,
              "renegotiation: the s_client connection was not closed "
              "within %.1f s" % bound)


# ---- data after the handshake ---------------------------------------------

def no_read_flood(ctx):
    """A peer that sends echo requests and PINGs but never reads: the
    server's queues stay within max_queued_bytes, reading stops (TCP flow
    control), and the idle timeout ends the session."""
    s, rd = A.secip_connect(ctx.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    chunk = A.frame(A.T_BYTES, b"z" * 60000)
    pings = A.frame(A.T_PING, b"12345678") * 4000
    sent = 0
    s.settimeout(2.0)
    t_stop = time.monotonic() + 10
    try:
        while time.monotonic() < t_stop:
            s.sendall(chunk + pings)
            sent += len(chunk) + len(pings)
    except (socket.timeout, TimeoutError, OSError):
        pass
    ctx.note("no-read flood: %.1f MiB written before the server stopped "
             "reading" % (sent / 1048576.0))
    ctx.check(sent < 64 << 20, "no-read flood: the server kept reading "
              "(%.0f MiB) from a peer that never reads" % (sent / 1048576.0))
    t = A.wait_closed_noread(s, ctx.idle_bound + 2)
    s.close()
    ctx.note("no-read flood: the server ended the session after %s s"
             % (None if t is None else round(t, 2)))
    ctx.check(t is not None and t <= ctx.idle_bound,
              "no-read flood: not closed within the idle bound %.1f s (%s)"
              % (ctx.idle_bound, t))


def file_reset(ctx):
    """TCP RST in the middle of file transfers: afterwards no file sits
    under a final name in --files-dir (only .secip-*.part/.state)."""
    if ctx.files_dir is None:
        ctx.skip("file transfer: `secip serve` has no --files-dir here")
        return
    size = 3 << 20  # above file_memory_max (1 MiB): streamed to disk
    for i in range(8):
        s, rd = A.secip_connect(ctx.port)
        name = b"adv-%d.bin" % i
        begin = struct.pack(">QqBBH", size, 0, 0x02, 0, len(name)) + name
        s.sendall(A.frame(A.T_FILE_BEGIN, begin, stream=1))
        t, frames = None, []
        deadline = time.monotonic() + 5
        accept = None
        while accept is None and time.monotonic() < deadline:
            s.settimeout(deadline - time.monotonic())
            try:
                data = s.recv(65536)
            except (socket.timeout, ssl.SSLError, OSError):
                break
            if not data:
                break
            for f in rd.feed(data):
                frames.append(f)
                if f[0] == A.T_FILE_ACCEPT:
                    accept = f
        if accept is None:
            reason = A.close_reason(frames)
            s.close()
            if reason == A.R_UNSUPPORTED:
                ctx.skip("file transfer: the server closes FILE_BEGIN with "
                         "UNSUPPORTED (file transfer not wired into "
                         "sessions yet)")
                return
            ctx.check(False, "file transfer %d: no FILE_ACCEPT (frames %s)"
                      % (i, [hex(f[0]) for f in frames]))
            return
        off = struct.unpack(">Q", accept[3][:8])[0]
        for k in range(4):
            data = os.urandom(64 * 1024)
            s.sendall(A.frame(A.T_FILE_CHUNK, struct.pack(">Q", off) + data,
                              stream=1))
            off += len(data)
        if i % 2:  # also: every chunk sent, reset before FILE_END
            while off < size:
                n = min(64 * 1024, size - off)
                s.sendall(A.frame(A.T_FILE_CHUNK,
                                  struct.pack(">Q", off) + os.urandom(n),
                                  stream=1))
                off += n
        time.sleep(0.05)
        A.reset_close(s)
    time.sleep(1.0)
    names = sorted(os.listdir(ctx.files_dir))
    final = [n for n in names if not n.startswith(".secip-")]
    ctx.note("file transfer resets: files dir holds %d partial file(s) "
             "(.secip-*.part/.state) and %d under a final name"
             % (len(names) - len(final), len(final)))
    ctx.check(not final, "file transfer resets: files under final names: %s"
              % final)
