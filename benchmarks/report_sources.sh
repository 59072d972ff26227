#!/usr/bin/env bash
# `elig report` over the 1,099 ctgov-msc trials from three sources, in one run: the records
# (parsed on the way), their `elig parse` outputs, and an `elig index` store of them.
# Usage: bash benchmarks/report_sources.sh [WORKDIR]   (default: a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/ctgov-msc
work=${1:-$(mktemp -d)}
[ -d "$work/parsed" ] || elig parse "$data" --jobs 2 --out "$work/parsed" 2>/dev/null
[ -f "$work/trials.duckdb" ] || elig index "$work/parsed" --db "$work/trials.duckdb" 2>/dev/null
for i in 1 2; do
  /usr/bin/time -f "store    %e s wall, %M KB peak RSS" elig report "$work/trials.duckdb" -o "$work/from-store.json" 2>&1 | grep -v '^wrote'
  /usr/bin/time -f "parsed   %e s wall, %M KB peak RSS" elig report "$work/parsed" -o "$work/from-parsed.json" 2>&1 | grep -v '^wrote'
done
/usr/bin/time -f "records  %e s wall, %M KB peak RSS" elig report "$data" -o "$work/from-records.json" 2>&1 | grep -v '^wrote'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
