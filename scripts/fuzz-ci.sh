#!/usr/bin/env bash
# Runs every fuzz target of the repository briefly: go test -fuzz takes
# one target per run.
#
# The budget is a count of executions (default 5000x), not a duration:
# with a duration, Go 1.26's fuzz coordinator can report its own
# shutdown as "context deadline exceeded" when -fuzztime expires while
# a worker is mid-call (go.dev/issue/75804, fixed in Go 1.27), which
# fails CI without any failing input. A count has no deadline to race;
# on a slow machine it only takes longer. A real finding still writes
# its input to testdata/fuzz/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000x}
case "$n" in
*x) ;;
*) echo "fuzz-ci.sh: budget must be a count like 20000x, got $n" >&2; exit 2 ;;
esac
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $target ($n)"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$n" -fuzzminimizetime=1x "$pkg"
  done
done
