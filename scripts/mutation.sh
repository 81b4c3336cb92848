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
# A mutant judged equivalent (no behaviour can tell it apart) is listed by name,
# with the reason, in scripts/equivalent-mutants.txt: the score leaves it out (it
# is neither caught nor missed), and the script says when a listed one is caught
# (the list is stale). A name is mutmut's (module.function__mutmut_N); it changes
# when the function's mutants do, so re-judge the list after changing the module.
#
# Environment: MUTATION_JOBS (parallel mutants, default 1: the machine is shared),
# MUTANTS (mutmut name patterns, e.g. 'padron.geo.resolver.*_decide*': only those
# functions' mutants), PADRON_TEST_DATA_DIR (default .cache/test-data).
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
    # tests import the benchmarks' readers of official data (bench.official_triples)
    echo "also_copy ="
    echo "    bench"
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
read -r -a only <<<"${MUTANTS:-}"
"$venv/bin/mutmut" run --max-children "${MUTATION_JOBS:-1}" "${only[@]}" >mutmut.log 2>&1 || {
    tail -40 mutmut.log >&2
    echo "mutation: mutmut failed; the whole log is $work/mutmut.log" >&2
    exit 1
}
"$venv/bin/mutmut" results --all true >results.txt 2>/dev/null
"$venv/bin/python" - "$module" "$(($(date +%s) - started))" "$root/scripts/equivalent-mutants.txt" "${MUTANTS:-}" <<'PY'
import fnmatch, sys
from collections import Counter
module, seconds, listed_path, patterns = sys.argv[1:5]
status = {}
for line in open("results.txt", encoding="utf-8"):
    name, sep, state = line.strip().rpartition(": ")
    if sep and name:
        status[name] = state
if patterns:
    status = {n: s for n, s in status.items() if any(fnmatch.fnmatch(n, p) for p in patterns.split())}
equivalent = {}
for line in open(listed_path, encoding="utf-8"):
    name, _, why = line.partition(" ")
    if name and not name.startswith("#"):
        equivalent[name] = why.strip()
counts = Counter(status.values())
judged = {n: s for n, s in status.items() if s not in ("skipped", "not checked") and n not in equivalent}
caught = [n for n, s in judged.items() if s in ("killed", "timeout", "segfault")]
score = 100.0 * len(caught) / len(judged) if judged else 0.0
excluded = [n for n in status if n in equivalent]
print(f"{module}: {len(caught)}/{len(judged)} mutants caught = {score:.1f}% "
      f"({', '.join(f'{s} {c}' for s, c in sorted(counts.items()))}; "
      f"{len(excluded)} listed as equivalent and left out) in {seconds} s")
stale = [n for n in excluded if status[n] in ("killed", "timeout")]
if stale:
    print("listed as equivalent but caught (remove them from the list):", *stale, sep="\n    ")
print("missed (mutmut show NAME in .cache/mutation/...):")
for n, s in judged.items():
    if n not in caught:
        print(f"    {n}: {s}")
PY
