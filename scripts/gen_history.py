#!/usr/bin/env python3
"""Give a folder of packets a git history, written with one `git fast-import` stream.

Usage: gen_history.py DIR PACKETS COMMITS [mixed SEED]

DIR holds packets (from scripts/gen_packets.py, or a copy of examples/); it becomes a git repository
whose first commit adds every file of DIR, followed by COMMITS - 1 commits. PACKETS is how many
packets the commits go round (0: all of them).

The default (`bench`) history is the one the benchmarks time: each commit changes the SLA answer of
one packet (round robin), with the body edited every third commit, a status change every seventh
and a sign-off every eleventh. `mixed` histories are for comparing two builds (scripts/
compare_outputs.sh): from a SEED, commits answer, change and clear questions, move the status
both ways, sign off (as the signer or as someone else), drop sign-offs, send packets back, edit
bodies and tick criteria, change other files and KPI series, revert to an earlier text, delete a
packet and bring it back, touch several packets at once, and come from several authors over a
few quarters.
"""
import pathlib
import random
import re
import subprocess
import sys


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    packets, commits = int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "bench"
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 7
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    names = sorted({f.split("/")[1] for f in files if f.startswith("handoffs/") and f.endswith("/handoff.md")})
    if packets:
        names = names[:packets]
    out = Stream()
    out.commit(0, "Bench <bench@example.test>", "Add the packets", {f: t for f, t in files.items()})
    if mode == "bench":
        bench(out, files, names, commits)
    else:
        mixed(out, files, names, commits, random.Random(seed))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=out.bytes(), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


class Stream:
    """A fast-import stream of commits on `main`."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.time = 1_700_000_000

    def commit(self, step: int, author: str, msg: str, changes: dict, gap: int = 60) -> None:
        self.time += gap
        m = msg.encode()
        self.parts.append(
            f"commit refs/heads/main\nauthor {author} {self.time} +0000\ncommitter {author} {self.time} +0000\n".encode()
            + b"data " + str(len(m)).encode() + b"\n" + m + b"\n"
        )
        for path, data in changes.items():
            if data is None:
                self.parts.append(f"D {path}\n".encode())
            else:
                if isinstance(data, str):
                    data = data.encode()
                self.parts.append(b"M 100644 inline " + path.encode() + b"\ndata " + str(len(data)).encode() + b"\n" + data + b"\n")

    def bytes(self) -> bytes:
        return b"".join(self.parts)


def bench(out: Stream, files: dict, names: list, commits: int) -> None:
    texts = {n: files[f"handoffs/{n}/handoff.md"].decode() for n in names}
    for i in range(1, commits):
        name = names[i % len(names)]
        text = texts[name].replace("within 2 business hours", f"within {i % 9 + 1} business hours", 1)
        if i % 3 == 0:
            text = text.replace("codes and the deliverability alerts.", f"codes and the deliverability alerts (revision {i}).", 1)
        text = text.replace("status: ready", "status: shadowing" if i % 7 == 0 else "status: ready")
        if i % 11 == 0:
            text = text.replace("signoffs: []", f"signoffs:\n  - role: pm\n    by: Bench <bench@example.test>\n    at: \"2026-01-01T00:00:{i % 60:02d}Z\"\n    digest: sha256:{'0' * 64}")
        out.commit(i, "Bench <bench@example.test>", f"Edit {name}", {f"handoffs/{name}/handoff.md": text})


PEOPLE = [
    "Pat Morgan <pat@northwind.test>",
    "Aisha Khan <aisha@northwind.test>",
    "Tomas Weber <tomas@northwind.test>",
    "Carla Mendes <carla@northwind.test>",
    "Bench <bench@example.test>",
]
ROLES = ["pm", "ops-lead", "sales-lead", "revops-director", "engineering"]
STATUSES = ["draft", "ready", "handed-off", "shadowing", "signed-off", "retired"]


def mixed(out: Stream, files: dict, names: list, commits: int, rng: random.Random) -> None:
    texts = {n: files[f"handoffs/{n}/handoff.md"].decode() for n in names}
    seen = {n: [t] for n, t in texts.items()}
    gone: set = set()
    for i in range(1, commits):
        changes: dict = {}
        for name in rng.sample(names, 1 if rng.random() < 0.85 else min(3, len(names))):
            path = f"handoffs/{name}/handoff.md"
            if name in gone:
                texts[name] = rng.choice(seen[name])
                gone.discard(name)
                changes[path] = texts[name]
                continue
            op = rng.randrange(13)
            text = texts[name]
            if op == 0:
                text = edit_answer(text, rng, i)
            elif op == 1:
                text = re.sub(r"(?m)^status: \S+", "status: " + rng.choice(STATUSES), text, count=1)
            elif op in (2, 3):
                text = sign(text, rng, i)
            elif op == 4:
                text = re.sub(r"(?m)^  - role: .*\n(?:    .*\n)*(?=\S|$)", "", text, count=1)
            elif op == 5:
                text = send_back(text, rng, i)
            elif op == 6:
                text = text.rstrip("\n") + f"\n\nA note from revision {i}.\n"
            elif op == 7:
                text = tick(text, rng)
            elif op == 8:
                text = rng.choice(seen[name])
            elif op == 9 and rng.random() < 0.5:
                gone.add(name)
                changes[path] = None
                continue
            elif op == 10:
                changes[f"handoffs/{name}/runbook.md"] = f"# Runbook\n\nRevision {i}.\n"
                if rng.random() < 0.5:
                    continue
                text = edit_answer(text, rng, i)
            elif op == 11:
                changes[f"handoffs/{name}/metrics/kpi.csv"] = "day,value\n" + "".join(
                    f"2026-{9 + d // 28:02d}-{1 + d % 28:02d},{10 + rng.random():.3f}\n" for d in range(rng.randrange(5, 60))
                )
                if rng.random() < 0.5:
                    continue
            else:
                text = edit_answer(text, rng, i)
                text = re.sub(r"(?m)^status: \S+", "status: " + rng.choice(STATUSES), text, count=1)
            texts[name] = text
            seen[name].append(text)
            changes[path] = text
        if changes:
            who = rng.choice(PEOPLE)
            gap = rng.choice([60, 3600, 86400, 86400 * 3, 86400 * 20])
            out.commit(i, who, f"Change {', '.join(sorted({c.split('/')[1] for c in changes}))}", changes, gap)


def front_end(text: str) -> int:
    """Where the front matter ends (the closing `---`)."""
    m = re.search(r"(?m)^---\s*$", text[4:])
    return 4 + m.start() if m else len(text)


def edit_answer(text: str, rng: random.Random, i: int) -> str:
    end = front_end(text)
    lines = [m for m in re.finditer(r"(?m)^( *)([a-z_]+): (\S.*)$", text[:end])
             if m.group(2) not in ("status", "kind", "kind_version", "id", "role", "by", "at", "digest", "day0", "from")]
    if not lines:
        return text
    m = rng.choice(lines)
    value = rng.choice([f"Revised answer {i}", "TODO: decide", "TODO: ask again", "", m.group(3), f"{rng.randint(1, 9)} business hours"])
    return text[: m.start(3)] + value + text[m.end(3):]


def sign(text: str, rng: random.Random, i: int) -> str:
    who = rng.choice(PEOPLE)
    entry = (f"  - role: {rng.choice(ROLES)}\n    by: \"{who}\"\n    at: \"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z\"\n"
             f"    digest: sha256:{rng.getrandbits(256):064x}\n")
    if re.search(r"(?m)^signoffs: \[\]", text):
        return re.sub(r"(?m)^signoffs: \[\]\n?", "signoffs:\n" + entry, text, count=1)
    m = re.search(r"(?m)^signoffs:.*\n", text)
    if not m:
        end = front_end(text)
        return text[:end] + "signoffs:\n" + entry + text[end:]
    return text[: m.end()] + entry + text[m.end():]


def send_back(text: str, rng: random.Random, i: int) -> str:
    entry = (f"  - at: 2026-{1 + i % 12:02d}-{1 + i % 28:02d}\n    by: \"{rng.choice(PEOPLE)}\"\n    from: ready\n"
             f"    reason: Revision {i} missed the alert thresholds\n")
    m = re.search(r"(?m)^sent_back:.*\n", text)
    if m and "[]" not in m.group(0):
        return text[: m.end()] + entry + text[m.end():]
    if m:
        return text[: m.start()] + "sent_back:\n" + entry + text[m.end():]
    end = front_end(text)
    return text[:end] + "sent_back:\n" + entry + text[end:]


def tick(text: str, rng: random.Random) -> str:
    boxes = list(re.finditer(r"(?m)^- \[( |x)\] ", text))
    if not boxes:
        return text
    m = rng.choice(boxes)
    mark = "x" if m.group(1) == " " else " "
    return text[: m.start(1)] + mark + text[m.end(1):]


if __name__ == "__main__":
    main()
