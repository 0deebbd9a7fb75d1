#!/usr/bin/env python3
"""Sums PostgreSQL's `log_min_duration_statement` lines by statement (bench/run-dispatch PROFILE_MS=).

Reads a server log, groups the logged statements by their first 140 characters (whitespace
collapsed) and prints, slowest total first: how many ran, their total and their longest duration.
"""
import re, sys
from collections import defaultdict

entry = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
duration = re.compile(r"LOG:\s+duration: ([\d.]+) ms\s+(?:execute [^:]*|statement|bind [^:]*|parse [^:]*):\s?(.*)")
totals = defaultdict(lambda: [0, 0.0, 0.0])
current = None


def close(item):
    if item:
        key = " ".join(" ".join(item[1]).split())[:140]
        total = totals[key]
        total[0] += 1
        total[1] += item[0]
        total[2] = max(total[2], item[0])


for line in open(sys.argv[1], errors="replace"):
    if entry.match(line):
        close(current)
        match = duration.search(line)
        current = (float(match.group(1)), [match.group(2)]) if match else None
    elif current and not line.startswith("\t") and "DETAIL:" not in line:
        current[1].append(line.strip())
close(current)
for key, (count, total, longest) in sorted(totals.items(), key=lambda kv: -kv[1][1])[:15]:
    print(f"{count:6d} {total:10.1f} {longest:9.1f}  {key}")
