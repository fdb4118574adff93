#!/usr/bin/env bash
# Hand-made mutant: applies PATCH (a diff of src), builds the unit tests, runs the test classes FILTER names
# ("ClassA|ClassB", each matched as FullyQualifiedName~Class; SQLite cases only), reverses the patch and prints
# "killed by: <tests>" or "survived". Not in CI: a mutant costs a build (minutes on a shared machine).
# docs/development.md, "Mutation testing". Usage: scripts/mutant.sh PATCH "AuthorizationTests|TokenRefusalTests"
set -uo pipefail
patch=${1:?usage: scripts/mutant.sh PATCH FILTER}
classes=${2:?usage: scripts/mutant.sh PATCH FILTER}
cd "$(dirname "$0")/.."
if ! git diff --quiet -- src; then
    echo "src has changes that are not committed: commit them first (the patch is reversed on a clean src)" >&2
    exit 2
fi
git apply "$patch" || exit 2
trap 'git apply -R "$patch"' EXIT
filter=""
IFS='|' read -ra names <<< "$classes"
for name in "${names[@]}"; do filter="$filter|FullyQualifiedName~$name"; done
filter="(${filter#|})&FullyQualifiedName!~Postgres"
log=$(mktemp)
if ! dotnet build tests/Rollouter.Import.Tests >"$log" 2>&1; then
    echo "does not build (a mutant the compiler kills):"; grep -E " error " "$log" | sort -u | head -5
    exit 1
fi
dotnet test tests/Rollouter.Import.Tests --no-build --filter "$filter" >"$log" 2>&1
failed=$(grep -oP '^\s+Failed \K\S+' "$log" | sort -u)
summary=$(grep -E "^(Passed!|Failed!)" "$log" | tail -1)
if [ -z "$summary" ]; then
    echo "no test ran (check FILTER): see $log"; exit 2
elif [ -n "$failed" ]; then
    echo "killed by:"; echo "$failed" | sed 's/^/  /'
else
    echo "survived ($summary)"
fi
rm -f "$log"
