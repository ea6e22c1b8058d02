#!/usr/bin/env bash
# What Import-Module of the published module folder adds to a PowerShell start (issue 20: at most 0.3 s, median of
# 10 runs): `pwsh -NoProfile -Command exit` beside the same with `Import-Module <folder>` first, taking turns under
# hyperfine (Debian's package), in one run. Writes the section "Import-Module time" of bench/RESULTS.md.
# Usage: bash bench/import-time.sh [RUNS]   (default 10; needs `dotnet tool restore` and hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
command -v hyperfine >/dev/null || { echo "import-time: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet tool restore >/dev/null
dotnet publish src/OcspStapling -c Release --nologo -v quiet >/dev/null
module=$(pwd)/out/OcspStapling
# The pwsh the tool manifest pins, started directly (as an installed pwsh would be), not through `dotnet pwsh`.
pwsh=$(dotnet pwsh -NoProfile -Command 'Join-Path $PSHOME pwsh')

json=$(mktemp)
hyperfine --runs "$runs" --warmup 2 --export-json "$json" \
  -n 'pwsh -NoProfile -Command exit' "$pwsh -NoProfile -Command exit" \
  -n 'pwsh -NoProfile -Command "Import-Module out/OcspStapling; exit"' "$pwsh -NoProfile -Command 'Import-Module $module; exit'"

read -r base import < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"])' "$json")
added=$(python3 -c "print(f'{($import - $base) * 1000:.0f}')")
verdict=$(python3 -c "print('within' if $import - $base <= 0.3 else 'OVER')")
echo "import-time: median $base s without, $import s with Import-Module: ${added} ms added ($verdict the 300 ms goal)"

section=$(cat <<MD
## Import-Module time (issue 20)

Measured $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores, PowerShell $("$pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'), .NET $(dotnet --version) SDK:
\`bash bench/import-time.sh $runs\`, hyperfine with $runs runs each after 2 warm-ups, the two commands in one run.
The module is the folder \`dotnet publish src/OcspStapling -c Release\` assembles (what \`./build.ps1\` builds).

| command | median | min | max |
| --- | ---: | ---: | ---: |
$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"| \`{r[\"command\"]}\` | {r[\"median\"]*1000:.0f} ms | {r[\"min\"]*1000:.0f} ms | {r[\"max\"]*1000:.0f} ms |")' "$json")

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
rm -f "$json"
