#!/usr/bin/env python3
"""measure.py RUNS CMD...: runs CMD RUNS times (stdout discarded) and prints
'median_seconds peak_rss_kib' for it. Used by the benchmarks."""
import os, subprocess, sys, time

runs = int(sys.argv[1])
cmd = sys.argv[2:]
times, rss = [], 0
for _ in range(runs):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    times.append(time.monotonic() - start)
    if status != 0:
        sys.exit(f"measure: {' '.join(cmd)} failed with status {status}")
    rss = max(rss, usage.ru_maxrss)
times.sort()
print(f"{times[len(times) // 2]:.4f} {rss}")
