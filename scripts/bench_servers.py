"""Starting and stopping the servers the benchmarks measure: the sandbox and the bare actix-web ceiling, each
pinned to the server core, with their start time and RSS."""

import os
import shutil
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
SANDBOX_BIN = os.path.join(RELEASE, "kyc-sandbox")
CEILING_BIN = os.path.join(RELEASE, "examples", "ceiling")
STORE_FOR_BENCH = 8 << 30


def cores():
    """Server core and load-generator core, when the machine has two."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"]
    return [], []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class StartFailed(RuntimeError):
    """The server exited before it answered (a port taken between `free_port` and its bind, say)."""


def wait_answer(port, path="/", deadline_s=10.0, process=None):
    """Seconds until the first request on `port` is answered (connection refused is retried at once)."""
    start = time.perf_counter()
    while time.perf_counter() - start < deadline_s:
        if process is not None and process.poll() is not None:
            raise StartFailed(f"exited with {process.returncode} before answering on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
                if conn.recv(12).startswith(b"HTTP/1.1"):
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.0005)
    raise RuntimeError(f"nothing answered on port {port}")


class Server:
    def __init__(self, name, argv, port, probe="/", wrap=(), deadline_s=10.0):
        """`wrap`: a command the server runs under (bench_instructions.py's callgrind)."""
        self.name, self.port = name, port
        server_core, _ = cores()
        started = time.perf_counter()
        # stderr carries the access log. It goes to /dev/null, as it always has here: written to a file
        # it cost the later runs of 2026-12-04 a disk's worth of log lines and made them incomparable.
        self.process = subprocess.Popen(server_core + list(wrap) + argv, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        try:
            wait_answer(port, probe, deadline_s, self.process)
        except RuntimeError as failure:
            self.stop()
            raise type(failure)(f"{name}: {failure}") from None
        self.start_ms = (time.perf_counter() - started) * 1000
        time.sleep(0.3)
        self.idle_rss = rss_kib(self.process.pid)

    def rss(self):
        return rss_kib(self.process.pid)

    def stop(self):
        """Waits until the process is gone, so the next measurement has the core to itself (a sandbox
        holding gigabytes takes seconds to free them)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_sandbox(wrap=(), deadline_s=10.0, attempts=3):
    """The sandbox on free ports; started again on other ports if it could not bind one."""
    for attempt in range(attempts):
        try:
            return start_sandbox_once(wrap, deadline_s)
        except StartFailed:
            if attempt == attempts - 1:
                raise


def start_sandbox_once(wrap, deadline_s):
    ports = {name: free_port() for name in ["main", "rebilly", "kycaid", "hermes", "qolo", "sumvin"]}
    # Every upload of the runs is kept: past the default 256 MiB per credential (1 GiB in all) they would
    # answer 507, which is right for a sandbox but not what the upload rows measure.
    argv = [SANDBOX_BIN, "--seed", "7", "--clock", "frozen:2026-01-01T00:00:00Z", "--port", str(ports["main"]),
            "--max-stored-bytes", str(STORE_FOR_BENCH), "--max-tenant-stored-bytes", str(STORE_FOR_BENCH)]
    for provider in ["rebilly", "kycaid", "hermes", "qolo", "sumvin"]:
        argv += [f"--port-{provider}", str(ports[provider])]
    server = Server("kyc-sandbox", argv, ports["main"], "/__admin/health", wrap, deadline_s)
    server.ports = ports
    return server


def start_ceiling(wrap=(), deadline_s=10.0, read_body=False, spin_us=0):
    port = free_port()
    argv = [CEILING_BIN, str(port)] + (["--read-body"] if read_body else [])
    argv += ["--spin-us", str(spin_us)] if spin_us else []
    return Server("ceiling", argv, port, "/", wrap, deadline_s)
