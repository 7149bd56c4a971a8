#!/usr/bin/env python3
"""Write N synthetic packets (handoff.md + runbook.md each) into DIR/handoffs for benchmarks.

Usage: gen_packets.py N DIR [FAILING] [SERIES] [LAGGING]
Every packet is a complete gtm-play packet based on the winback example as it stands before its
handoff (ready, not yet signed; kept in tests/fixtures/packets), with its own id, owners and numbers,
so `handoff check` does all of its work on each one. FAILING (0 to 1, default 0) is the share of
packets given four typical mistakes (a TODO left, a bare first name, a link without its scheme,
a date that is not one), spread evenly through the corpus. SERIES (0 to 1, default 0) is the share
of packets whose metric carries a committed 90-day KPI series (metrics/kpi.csv, on target), also
spread evenly. LAGGING (0 to 1, default 0) makes a portfolio whose packets lag their kind, as after
a few retros: the repo's gtm-play is the built-in one raised to version 5 (two questions and a
criterion added at version 4, one question and a criterion at 5), and that share of the packets
is one or two versions behind it (half each) and lacks what was added since; the rest are at
version 5 with every answer.
"""
import datetime
import pathlib
import random
import sys

def main() -> None:
    count, root = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    failing = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    series = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    lagging = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
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
    if lagging > 0:
        write_evolved_kind(repo, root)
    rng = random.Random(7)
    behind = 0
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
        if lagging > 0:
            lags = int((i + 1) * lagging) > int(i * lagging)
            if lags:
                behind += 1
            text = at_version(text, 5 - (1 + behind % 2 if lags else 0))
        (d / "handoff.md").write_text(text)
        (d / "runbook.md").write_text(runbook)

# What the kind gained after version 3, by version: questions (front matter) and criteria.
ADDED = {
    4: (
        ["escalation:\n  contact: Rosa Diaz <rosa@northwind.test>\n  within: 30 minutes\n",
         "cost_center: LIFE-204\n"],
        ["Escalation contact tested with a page"],
    ),
    5: (["sunset: Retire the play when reactivation stays below 2% for a quarter\n"],
        ["Sunset rule agreed with the receiving team"]),
}


def write_evolved_kind(repo: pathlib.Path, root: pathlib.Path) -> None:
    """The built-in gtm-play raised to version 5, kept in the corpus repo."""
    src = repo / "templates" / "kinds" / "gtm-play"
    dst = root / ".handoff" / "kinds" / "gtm-play"
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        (dst / f.name).write_text(f.read_text())
    kind = (src / "kind.yaml").read_text().replace("\nversion: 3\n", "\nversion: 5\n", 1)
    questions = (
        "fields:\n"
        "  - key: escalation\n    type: map\n    since: 4\n    prompt: Who is called when the owner is out?\n"
        "    fields:\n      - key: contact\n        type: person\n        prompt: Who?\n"
        "      - key: within\n        type: text\n        prompt: How fast?\n"
        "  - key: cost_center\n    type: text\n    since: 4\n    prompt: Which budget pays for it?\n"
        "  - key: sunset\n    type: text\n    since: 5\n    prompt: When is the play retired?\n"
    )
    criteria = (
        "criteria:\n"
        f"  - text: {ADDED[4][1][0]}\n    since: 4\n"
        f"  - text: {ADDED[5][1][0]}\n    since: 5\n"
    )
    assert "\nfields:\n" in kind and "\ncriteria:\n" in kind
    kind = kind.replace("\nfields:\n", "\n" + questions, 1).replace("\ncriteria:\n", "\n" + criteria, 1)
    (dst / "kind.yaml").write_text(kind)


def at_version(text: str, version: int) -> str:
    """A version-3 packet as made under `version` of the evolved kind: its answers and criteria."""
    text = text.replace("kind_version: 3\n", f"kind_version: {version}\n", 1)
    for v in range(4, version + 1):
        questions, criteria = ADDED[v]
        text = text.replace("signoffs: []", "".join(questions) + "signoffs: []", 1)
        for c in criteria:
            text = text.replace("\n\n## Open questions", f"\n- [ ] {c}\n\n## Open questions", 1)
    return text


if __name__ == "__main__":
    main()
