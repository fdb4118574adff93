#!/usr/bin/env bash
# Mutation testing of one area with Stryker.NET (docs/development.md, "Mutation testing"). Not part of CI: a run takes
# 15-40 minutes on the shared 2-core machine. Stryker compiles its mutants in memory and swaps them into the test
# project's bin folder while it runs: build or test nothing in this worktree until it ends.
#
#   scripts/mutation.sh rules      the import checker's rules and the mapping's validation (Rollouter.Import)
#   scripts/mutation.sh cursor     the client list's cursor (Rollouter.Import)
#   scripts/mutation.sh security   who may do what in a rollout (Rollouter.Import.Web)
#
# Environment: STRYKER_VERSION (5.1.0), STRYKER_TOOLS (folder for the tool, default artifacts/stryker-tool),
# CONCURRENCY (test sessions at once, default 1). The reports go to artifacts/mutation/<area>/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$(pwd)
AREA=${1:-}
VERSION=${STRYKER_VERSION:-5.1.0}
TOOLS=${STRYKER_TOOLS:-$ROOT/artifacts/stryker-tool}
OUT=$ROOT/artifacts/mutation/$AREA

case $AREA in
    rules)
        project=Rollouter.Import.csproj
        mutate='"**/Importing/Rules/NameRule.cs", "**/Importing/Rules/RequiredFieldsRule.cs", "**/Importing/Rules/StatusRule.cs",
                "**/Importing/Rules/UserRule.cs", "**/Importing/Rules/FieldValueRule.cs", "**/Importing/Mapping/MappingValidation.cs"'
        filter='(FullyQualifiedName~Rollouter.Import.Tests.Rules|FullyQualifiedName~Rollouter.Import.Tests.Mapping)&DisplayName!~PostgreSql'
        ;;
    cursor)
        project=Rollouter.Import.csproj
        mutate='"**/Data/ClientLists/ClientCursor.cs"'
        filter='FullyQualifiedName~ClientCursorTests|FullyQualifiedName~SqliteClientPagesTests|FullyQualifiedName~ClientListPagingTests'
        ;;
    security)
        project=Rollouter.Import.Web.csproj
        mutate='"**/Infrastructure/Security/RolloutAccess.cs", "**/Infrastructure/Security/RolloutAuthorizationHandler.cs",
                "**/Infrastructure/Security/RolloutRequirement.cs", "**/Infrastructure/Security/RolloutClaimsPrincipalFactory.cs"'
        filter='FullyQualifiedName~Web.AuthorizationTests|FullyQualifiedName~UserAccessTests|FullyQualifiedName~SettingsAuthorizationTests|FullyQualifiedName~OpenApiResponsesTests.EveryOperationThatChangesSomething'
        ;;
    *)
        echo "usage: scripts/mutation.sh rules|cursor|security" >&2
        exit 2
        ;;
esac

if [[ ! -x $TOOLS/dotnet-stryker ]]; then
    dotnet tool install dotnet-stryker --version "$VERSION" --tool-path "$TOOLS"
fi

mkdir -p "$OUT"
cat >"$OUT/stryker-config.json" <<JSON
{
  "stryker-config": {
    "project": "$project",
    "test-projects": ["$ROOT/tests/Rollouter.Import.Tests/Rollouter.Import.Tests.csproj"],
    "mutate": [$mutate],
    "coverage-analysis": "perTest",
    "test-case-filter": "$filter",
    "concurrency": ${CONCURRENCY:-1},
    "reporters": ["Progress", "Json", "Html", "ClearText"]
  }
}
JSON

cd "$ROOT/tests/Rollouter.Import.Tests"
"$TOOLS/dotnet-stryker" -f "$OUT/stryker-config.json" -O "$OUT" --skip-version-check
