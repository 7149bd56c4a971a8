#!/usr/bin/env python3
"""Write N synthetic packets (handoff.md + runbook.md each) into DIR/handoffs for benchmarks.

Usage: gen_packets.py N DIR
Every packet is a complete gtm-play packet based on the winback example as it stands before its
handoff (ready, not yet signed; kept in tests/fixtures/packets), with its own id, owners and numbers,
so `handoff check` does all of its work on each one.
"""
import pathlib
import random
import sys

def main() -> None:
    count, root = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    repo = pathlib.Path(__file__).resolve().parent.parent
    example = repo / "tests" / "fixtures" / "packets" / "winback-email"
    packet = (example / "handoff.md").read_text()
    runbook = (example / "runbook.md").read_text()
    (root / "handoffs").mkdir(parents=True, exist_ok=True)
    (root / "handoff.toml").write_text(
        (repo / "examples" / "handoff.toml").read_text()
    )
    rng = random.Random(7)
    for i in range(count):
        pid = f"play-{i:05d}"
        d = root / "handoffs" / pid
        d.mkdir(exist_ok=True)
        text = (
            packet.replace("id: winback-email", f"id: {pid}")
            .replace(">= 5%", f">= {rng.randint(2, 9)}%")
            .replace("aisha@", f"aisha{i}@")
            .replace("2 business hours", f"{rng.randint(1, 8)} business hours")
        )
        (d / "handoff.md").write_text(text)
        (d / "runbook.md").write_text(runbook)

if __name__ == "__main__":
    main()
