#!/usr/bin/env python3
"""Time `handoff lsp` from a change to the diagnostics it publishes for it.

Usage: scripts/bench_lsp.py [BINARY]      (default: target/release/handoff)

Starts the server in a repository holding the example win-back packet, opens the packet, then
sends 200 full-text changes, alternating a misspelt key and its fix, and measures the time from
each `didChange` to the `publishDiagnostics` that answers it. Prints the median, the 95th
percentile and the worst, against the goal of 20 ms.
"""
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read(out):
    length = 0
    while True:
        line = out.readline()
        if not line:
            raise EOFError("the server closed its output")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(out.read(length))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "handoff")
    with tempfile.TemporaryDirectory() as tmp:
        repo = pathlib.Path(tmp)
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        shutil.copy(ROOT / "examples" / "handoff.toml", repo / "handoff.toml")
        shutil.copytree(ROOT / "tests" / "fixtures" / "packets" / "winback-email", repo / "handoffs" / "winback-email")
        path = (repo / "handoffs" / "winback-email" / "handoff.md").resolve()
        uri = path.as_uri()
        good = path.read_text()
        bad = good.replace("  kpi: Reactivated", "  kpii: Reactivated")
        server = subprocess.Popen([binary, "lsp", "--today", "2026-12-05"], cwd=repo,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        send = lambda m: (server.stdin.write(frame(m)), server.stdin.flush())
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": os.getpid(), "rootUri": repo.resolve().as_uri(), "capabilities": {}}})
        while read(server.stdout).get("id") != 1:
            pass
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": good}}})

        def published():
            while True:
                m = read(server.stdout)
                if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                    return m["params"]["diagnostics"]

        published()
        times = []
        for i in range(200):
            text = bad if i % 2 == 0 else good
            start = time.perf_counter()
            send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": text}]}})
            diags = published()
            times.append((time.perf_counter() - start) * 1000)
            has_typo = any(d.get("code") == "unknown-key" for d in diags)
            assert has_typo == (i % 2 == 0), "the diagnostics answer the change"
        send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        send({"jsonrpc": "2.0", "method": "exit"})
        server.wait(timeout=10)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"handoff lsp, didChange -> publishDiagnostics over {len(times)} changes: "
              f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, worst {times[-1]:.1f} ms (goal <= 20 ms)")


if __name__ == "__main__":
    main()
