#!/usr/bin/env bash
# Recreates the single Initial migration of every provider from the current model.
# Only for the time before the first release: afterwards, add migrations instead (see docs/development.md).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite PostgreSql SqlServer; do
  project=src/Migrations/Rollouter.Import.Migrations.$provider
  rm -rf "$project/Migrations"
  dotnet dotnet-ef migrations add Initial --project "$project" --startup-project "$project" --output-dir Migrations
done
