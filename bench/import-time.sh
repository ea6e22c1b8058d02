#!/usr/bin/env bash
# What Import-Module of the published module folder adds to a PowerShell start (issue 20: at most 0.3 s, median of
# 10 runs): `pwsh -NoProfile -Command exit` beside the same with `Import-Module <folder>` first, taking turns in one
# run. Writes the section "Import-Module time" of bench/RESULTS.md.
# Usage: bash bench/import-time.sh [RUNS]   (default 10; needs the .NET SDK, which restores pwsh from the tool manifest)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet tool restore >/dev/null
dotnet publish src/OcspStapling -c Release --nologo -v quiet >/dev/null
module=$(pwd)/out/OcspStapling
# The pwsh the tool manifest pins, started directly (as an installed pwsh would be), not through `dotnet pwsh`.
pwsh=$(dotnet pwsh -NoProfile -Command 'Join-Path $PSHOME pwsh')

# The two commands take turns, one run each per round, so a load that comes and goes weighs on both alike.
base_ms=(); import_ms=()
elapsed_ms() { local start end; start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
for _ in 1 2; do "$pwsh" -NoProfile -Command "Import-Module $module; exit" >/dev/null; done   # warm-up: disk cache
for ((i = 0; i < runs; i++)); do
  base_ms+=("$(elapsed_ms "$pwsh" -NoProfile -Command exit)")
  import_ms+=("$(elapsed_ms "$pwsh" -NoProfile -Command "Import-Module $module; exit")")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d %d %d\n", m, v[1], v[NR] }'; }
read -r base base_min base_max < <(stats "${base_ms[@]}")
read -r import import_min import_max < <(stats "${import_ms[@]}")
added=$((import - base))
verdict=$([ "$added" -le 300 ] && echo within || echo OVER)
echo "import-time: median $base ms without, $import ms with Import-Module: ${added} ms added ($verdict the 300 ms goal)"

section=$(cat <<MD
## Import-Module time (issue 20)

Measured $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores (load average $(cut -d" " -f1 /proc/loadavg) at the end), PowerShell $("$pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'), .NET $(dotnet --version) SDK:
\`bash bench/import-time.sh $runs\`: $runs rounds after 2 warm-ups, each round one run of each command, timed
as whole processes; medians, with the fastest and slowest run.
The module is the folder \`dotnet publish src/OcspStapling -c Release\` assembles (what \`./build.ps1\` builds).

| command | median | min | max |
| --- | ---: | ---: | ---: |
| \`pwsh -NoProfile -Command exit\` | $base ms | $base_min ms | $base_max ms |
| \`pwsh -NoProfile -Command "Import-Module out/OcspStapling; exit"\` | $import ms | $import_min ms | $import_max ms |

Import-Module adds **${added} ms** to the median start ($verdict the goal of at most 300 ms). Import loads the module
DLL and OcspStapling.Types and reads the manifest, the format file and the cmdlet metadata; the engine and its
libraries (Dependencies/) load on the first cmdlet call, not at import.
MD
)
python3 - "$section" <<'PY'
import re, sys
path = "bench/RESULTS.md"
text = open(path).read()
section = sys.argv[1].rstrip() + "\n"
pattern = re.compile(r"## Import-Module time \(issue 20\)\n.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda _: section.rstrip("\n"), text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
PY
