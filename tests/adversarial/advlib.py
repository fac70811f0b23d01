"""Helpers of the hostile-peer suite (tests/adversarial/run.py).

Python 3 standard library only: the secip/1 framing (docs/PROTOCOL.md),
TLS 1.2 clients with the ssl module (blocking sockets, or an SSLObject over
memory BIOs when the test needs the raw records), the `secip serve`
process and its resident memory.
"""

import os
import re
import select
import socket
import ssl
import struct
import subprocess
import threading
import time

# ---- secip/1 framing (docs/PROTOCOL.md sections 2, 3, 6) ------------------

T_BYTES, T_TEXT = 0x01, 0x02
T_FILE_BEGIN, T_FILE_CHUNK, T_FILE_END = 0x10, 0x11, 0x12
T_FILE_CANCEL, T_FILE_ACCEPT = 0x13, 0x14
T_HELLO, T_PING, T_PONG, T_CLOSE, T_ERROR = 0x20, 0x21, 0x22, 0x23, 0x24
FIN, CONT = 0x01, 0x02
R_PROTOCOL, R_UNSUPPORTED, R_TOO_BIG = 2, 3, 4
HEADER = struct.Struct(">BBHI")


def frame(ftype, payload=b"", flags=FIN, stream=0, length=None):
    """One frame; `length` overrides the header's length (lies)."""
    n = len(payload) if length is None else length
    return HEADER.pack(ftype, flags, stream, n) + payload


def hello(max_frame=1 << 20, max_streams=4, max_message=1 << 20):
    return frame(T_HELLO, struct.pack(">IHHQ", max_frame, max_streams, 0,
                                      max_message))


class FrameReader:
    """Splits a byte stream into (type, flags, stream, payload) frames."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 8:
            t, f, s, n = HEADER.unpack_from(self.buf)
            if len(self.buf) < 8 + n:
                break
            out.append((t, f, s, self.buf[8:8 + n]))
            self.buf = self.buf[8 + n:]
        return out


def close_reason(frames):
    """The reason code of the first CLOSE among frames, or None."""
    for t, _f, _s, p in frames:
        if t == T_CLOSE and len(p) >= 2:
            return struct.unpack(">H", p[:2])[0]
    return None


# ---- TLS ------------------------------------------------------------------

def tls_context():
    """TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, ALPN secip/1; the server runs
    in no-CA mode (self-signed), so its certificate is not verified."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
    ctx.set_alpn_protocols(["secip/1"])
    return ctx


CTX = tls_context()


def tcp_connect(port, src=None, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src is not None:
        s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def tls_connect(port, src=None, timeout=5.0, session=None):
    """A blocking TLS socket with the handshake done."""
    raw = tcp_connect(port, src, timeout)
    try:
        return CTX.wrap_socket(raw, server_hostname="localhost",
                               session=session)
    except BaseException:
        raw.close()
        raise


def secip_connect(port, src=None, timeout=5.0, session=None):
    """TLS plus the HELLO exchange; returns (sock, reader)."""
    s = tls_connect(port, src, timeout, session)
    s.sendall(hello())
    rd = FrameReader()
    got = []
    deadline = time.monotonic() + timeout
    while not any(f[0] == T_HELLO for f in got):
        if time.monotonic() > deadline:
            raise TimeoutError("no HELLO from the server")
        data = s.recv(65536)
        if not data:
            raise ConnectionError("closed before HELLO")
        got += rd.feed(data)
    return s, rd


def client_hello_bytes():
    """The first flight of a real TLS client (a ClientHello record)."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = CTX.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


class BioTLS:
    """TLS over memory BIOs on a TCP socket: the test sees (and may
    corrupt) every record it sends."""

    def __init__(self, port, timeout=5.0):
        self.sock = tcp_connect(port, None, timeout)
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = CTX.wrap_bio(self.inc, self.out,
                                server_hostname="localhost")
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                if time.monotonic() > deadline:
                    raise TimeoutError("handshake")
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("closed in the handshake")
                self.inc.write(data)
        self._flush()

    def _flush(self):
        data = self.out.read()
        if data:
            self.sock.sendall(data)

    def records(self, plaintext):
        """Encrypt plaintext and return the TLS records (not sent)."""
        self.obj.write(plaintext)
        return self.out.read()

    def send(self, plaintext):
        self.sock.sendall(self.records(plaintext))

    def recv_plain(self, timeout=5.0):
        """Decrypted bytes available within timeout (b"" at EOF)."""
        self.sock.settimeout(timeout)
        while True:
            try:
                return self.obj.read(65536)
            except ssl.SSLWantReadError:
                data = self.sock.recv(65536)
                if not data:
                    return b""
                self.inc.write(data)


def wait_closed(sock, timeout):
    """Read (and discard) until the server closes the connection (EOF,
    reset, or a TLS alert/close); return the seconds it took, or None if
    it was still open after timeout seconds."""
    t0 = time.monotonic()
    end = t0 + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return None
        except (ssl.SSLError, OSError):
            return time.monotonic() - t0
        if not data:
            return time.monotonic() - t0


def wait_closed_noread(sock, timeout):
    """Wait for the server to end the connection without reading from it
    (a peer that never reads must stay one): poll for a reset or a FIN
    (POLLERR, POLLHUP, POLLRDHUP).  Seconds it took, or None."""
    t0 = time.monotonic()
    p = select.poll()
    p.register(sock.fileno(), select.POLLRDHUP)
    while True:
        left = t0 + timeout - time.monotonic()
        if left <= 0:
            return None
        for _fd, ev in p.poll(left * 1000):
            if ev & (select.POLLERR | select.POLLHUP | select.POLLRDHUP):
                return time.monotonic() - t0


def read_until_close(sock, reader, timeout):
    """Like wait_closed, also collecting the frames read on the way:
    (seconds or None, frames)."""
    t0 = time.monotonic()
    end = t0 + timeout
    frames = []
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None, frames
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return None, frames
        except (ssl.SSLError, OSError):
            return time.monotonic() - t0, frames
        if not data:
            return time.monotonic() - t0, frames
        frames += reader.feed(data)


def reset_close(sock):
    """Close with a TCP RST (SO_LINGER 0) instead of a FIN."""
    raw = sock
    try:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                       struct.pack("ii", 1, 0))
    except OSError:
        pass
    raw.close()


# ---- the server under test --------------------------------------------------

def rss_kib(pid):
    """VmRSS of pid in KiB, or None if it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    """`secip serve` on 127.0.0.1 with an ephemeral port; stdout and
    stderr go to files in workdir (the echo server prints every message)."""

    def __init__(self, exe, workdir, args, env=None):
        self.out_path = os.path.join(workdir, "serve.out")
        self.err_path = os.path.join(workdir, "serve.err")
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        cmd = [exe, "serve", "--listen", "127.0.0.1:0"] + args
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.err,
                                     stdin=subprocess.DEVNULL, env=env)
        self.port = None
        deadline = time.monotonic() + 60
        while self.port is None and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("secip serve exited with %d: %s" % (
                    self.proc.returncode, self.stderr_text()))
            with open(self.out_path, "rb") as f:
                m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.port = int(m.group(1))
            else:
                time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("secip serve printed no 'listening on' line")
        self.pid = self.proc.pid
        self.rss_max = 0
        self.rss_samples = []
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        while not self._stop.is_set():
            r = rss_kib(self.pid)
            if r is not None:
                self.rss_max = max(self.rss_max, r)
                self.rss_samples.append((time.monotonic(), r))
            self._stop.wait(0.05)

    def rss(self):
        return rss_kib(self.pid)

    def alive(self):
        return self.proc.poll() is None

    def stderr_text(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-20000:]
        except OSError:
            return ""

    def stop(self):
        self._stop_sampler()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        self.err.close()
        return self.proc.returncode

    def _stop_sampler(self):
        if hasattr(self, "_stop"):
            self._stop.set()
            self._sampler.join()


def wait_readable_any(socks, timeout):
    """select() wrapper tolerant of an empty list."""
    if not socks:
        time.sleep(timeout)
        return []
    r, _w, _x = select.select(socks, [], [], timeout)
    return r
