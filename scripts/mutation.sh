#!/usr/bin/env bash
# Mutation testing of one module against its focused tests (mutmut, pinned in
# requirements-dev.txt).
#
#   scripts/mutation.sh MODULE [PYTEST ARGS...]
#   scripts/mutation.sh padron/customers/rules.py tests/customers/test_rules.py
#   scripts/mutation.sh padron/customers/service.py tests/customers -k sqlite
#
# It copies the working tree (tracked and untracked, not ignored files) to
# .cache/mutation/<module>/, mutates only MODULE there, and runs the given tests
# (default: tests/) against every mutant, the tests that reach the mutated
# function only. The place index is reused from .cache/test-data (built once by
# `./run test`, or by this script's first run). At the end it prints the score:
# killed / (killed + survived + timeouts + no tests), and the surviving mutants;
# `cd .cache/mutation/<module> && ../../../.venv/bin/mutmut show NAME` shows one.
#
# A mutant judged equivalent (no behaviour can tell it apart) is excluded at its
# line with `# pragma: no mutate` and listed, with the reason, in docs/quality.md.
#
# Environment: MUTATION_JOBS (parallel mutants, default 1: the machine is shared),
# PADRON_TEST_DATA_DIR (default .cache/test-data).
set -euo pipefail

if [[ $# -lt 1 || ! -f $1 ]]; then
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
module=$1
shift
tests=("$@")
[[ ${#tests[@]} -gt 0 ]] || tests=(tests/)

root=$(git rev-parse --show-toplevel)
cd "$root"
venv="$root/.venv"
[[ -x $venv/bin/mutmut ]] || {
    echo "mutation: $venv/bin/mutmut is missing; run ./run test once (it installs requirements-dev.txt)" >&2
    exit 1
}
name=$(echo "$module" | sed 's#/#_#g; s#\.py$##')
work="$root/.cache/mutation/$name"
rm -rf "$work"
mkdir -p "$work"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work" 2>/dev/null || true

{
    echo "[mutmut]"
    echo "source_paths = padron"
    echo "only_mutate = $module"
    echo "pytest_add_cli_args = -p no:cacheprovider -q"
    echo "pytest_add_cli_args_test_selection ="
    for arg in "${tests[@]}"; do
        echo "    $arg"
    done
} >"$work/setup.cfg"

export PADRON_TEST_DATA_DIR=${PADRON_TEST_DATA_DIR:-$root/.cache/test-data}
mkdir -p "$PADRON_TEST_DATA_DIR"
cd "$work"
started=$(date +%s)
"$venv/bin/mutmut" run --max-children "${MUTATION_JOBS:-1}" >mutmut.log 2>&1 || {
    tail -40 mutmut.log >&2
    echo "mutation: mutmut failed; the whole log is $work/mutmut.log" >&2
    exit 1
}
"$venv/bin/mutmut" export-cicd-stats >/dev/null
"$venv/bin/python" - "$module" "$(($(date +%s) - started))" <<'PY'
import json, sys
s = json.load(open("mutants/mutmut-cicd-stats.json"))
judged = s["killed"] + s["survived"] + s["timeout"] + s["no_tests"] + s["suspicious"]
caught = s["killed"] + s["timeout"]
score = 100.0 * caught / judged if judged else 0.0
print(f"{sys.argv[1]}: {caught}/{judged} mutants caught = {score:.1f}% "
      f"(killed {s['killed']}, timeout {s['timeout']}, survived {s['survived']}, "
      f"no tests {s['no_tests']}, suspicious {s['suspicious']}, skipped {s['skipped']}) "
      f"in {sys.argv[2]} s")
PY
echo "surviving mutants (mutmut show NAME in $work):"
"$venv/bin/mutmut" results 2>/dev/null | grep -v ": killed" || true
