#!/usr/bin/env python3
"""Write N synthetic packets (handoff.md + runbook.md each) into DIR/handoffs for benchmarks.

Usage: gen_packets.py N DIR [FAILING] [SERIES]
Every packet is a complete gtm-play packet based on the winback example as it stands before its
handoff (ready, not yet signed; kept in tests/fixtures/packets), with its own id, owners and numbers,
so `handoff check` does all of its work on each one. FAILING (0 to 1, default 0) is the share of
packets given four typical mistakes (a TODO left, a bare first name, a link without its scheme,
a date that is not one), spread evenly through the corpus. SERIES (0 to 1, default 0) is the share
of packets whose metric carries a committed 90-day KPI series (metrics/kpi.csv, on target), also
spread evenly.
"""
import datetime
import pathlib
import random
import sys

def main() -> None:
    count, root = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    failing = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    series = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    repo = pathlib.Path(__file__).resolve().parent.parent
    example = repo / "tests" / "fixtures" / "packets" / "winback-email"
    packet = (example / "handoff.md").read_text()
    runbook = (example / "runbook.md").read_text()
    (root / "handoffs").mkdir(parents=True, exist_ok=True)
    (root / "handoff.toml").write_text(
        (repo / "examples" / "handoff.toml").read_text()
    )
    # The day-0 meeting is recorded, so a complete packet passes without warnings.
    start = packet.index("# Live handoff meeting\n")
    end = packet.index("signoffs: []")
    packet = (
        packet[:start]
        + "shadow_log: []\nlive_meeting:\n  date: 2026-12-07\n  attendees:\n    - Aisha Khan <aisha@northwind.test>\n"
        + "  recording: https://video.northwind.test/share/winback-live\n  decisions:\n"
        + "    - Lifecycle ops runs the sends from day 0\n  open_questions: []\n"
        + packet[end:]
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
        if int((i + 1) * failing) > int(i * failing):
            text = (
                text.replace("  source: Dashboard \"Lifecycle / Win-back\" over warehouse table lifecycle.winback_sends", "  source: \"TODO: Where is the KPI instrumented?\"", 1)
                .replace("  backup: Tomas Weber <tomas@northwind.test>", "  backup: Tomas", 1)
                .replace("walkthrough: https://", "walkthrough: video.northwind.test/", 1)
                .replace("due: 2027-01-20", "due: next sprint", 1)
            )
        if int((i + 1) * series) > int(i * series):
            text = text.replace(
                "  stability: ", "  series:\n    file: metrics/kpi.csv\n  stability: ", 1
            )
            (d / "metrics").mkdir(exist_ok=True)
            first = datetime.date(2026, 9, 5)
            rows = ["day,value"] + [
                f"{first + datetime.timedelta(days=k)},{10 + rng.random():.3f}" for k in range(90)
            ]
            (d / "metrics" / "kpi.csv").write_text("\n".join(rows) + "\n")
        (d / "handoff.md").write_text(text)
        (d / "runbook.md").write_text(runbook)

if __name__ == "__main__":
    main()
