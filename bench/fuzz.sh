#!/usr/bin/env bash
# A longer fuzzing campaign than CI's: the same properties (tests/OcspStapling.Tests/Hostile/FuzzTests.cs) with
# every budget multiplied by SCALE (default 25: about 1.1 million cases). Prints the cases run and the wall time.
# Usage: bash bench/fuzz.sh [SCALE]
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-25}
dotnet build tests/OcspStapling.Tests -c Release --nologo -v quiet >/dev/null
budgets=(20000 10000 10000 2000 2000 300)   # decoder, handshake, extensions, certificate files, store, http (FuzzTests.cs)
total=0; for b in "${budgets[@]}"; do total=$((total + b * scale)); done
start=$(date +%s)
OCSPSTAPLE_FUZZ_SCALE=$scale dotnet test tests/OcspStapling.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Hostile.FuzzTests" --logger "console;verbosity=normal" 2>&1 | grep -E "^\s+(Passed|Failed) |Passed!|Failed!|Falsifiable|threw"
echo "fuzz: $total cases at scale $scale in $(( $(date +%s) - start )) s"
