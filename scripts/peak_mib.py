"""Run a command and print the peak resident memory of that process alone, in MiB.

`/usr/bin/time` reports the largest of the process and its children (for `handoff stats`, the
`git log` it runs); this reads the process's own high-water mark (VmHWM) until it exits.

    python3 scripts/peak_mib.py COMMAND [ARG ...]
"""

import subprocess
import sys
import time

proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while proc.poll() is None:
    try:
        with open(f"/proc/{proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.005)
print(peak // 1024)
