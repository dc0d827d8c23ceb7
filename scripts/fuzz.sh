#!/bin/sh
# Run every native fuzz target of oktaemu, one after the other.
#
#   scripts/fuzz.sh            # CI: 3s per target
#   scripts/fuzz.sh 10m        # a long run per target (FUZZING.md)
#   FUZZ_ONLY=FuzzUsersBody scripts/fuzz.sh 1h
#
# A finding is written to <package>/testdata/fuzz/<Target>/<hash> and the
# script exits non-zero; `go test ./<package> -run <Target>/<hash>`
# reproduces it, and the file stays as a regression seed once fixed.
set -eu
cd "$(dirname "$0")/.."
time="${1:-3s}"
parallel="${FUZZ_PARALLEL:-2}"

# Every "func FuzzX(f *testing.F)" of the module, as "package target" lines.
targets() {
	grep -rlE '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' --include='*_test.go' . | sort | while read -r file; do
		pkg="./$(dirname "${file#./}")"
		grep -hoE '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$file" | sed -E "s#^func (Fuzz[A-Za-z0-9_]*).*#$pkg \1#"
	done
}

status=0
targets | while read -r pkg target; do
	if [ -n "${FUZZ_ONLY:-}" ] && [ "$FUZZ_ONLY" != "$target" ]; then
		continue
	fi
	echo "== $pkg $target ($time)"
	start=$(date +%s)
	if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -parallel "$parallel" -timeout 0; then
		echo "FAIL: $pkg $target" >&2
		exit 1
	fi
	echo "   $(( $(date +%s) - start ))s"
done || status=1
exit $status
