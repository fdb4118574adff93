#!/usr/bin/env bash
# Times API calls with a bearer token: time-api.sh BASE EMAIL PATH... (each path 5 times; prints status, size, min and max).
# e.g. bench/scale-axes/time-api.sh http://127.0.0.1:5640 admin@demo.test /api/rollouts "/api/rollouts?q=R0001"
set -euo pipefail
base=$1; email=$2; shift 2
token=$(curl -s -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"Demo!2026\"}" "$base/api/auth/login" \
  | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
for path in "$@"; do
  times=(); code=; size=
  for i in 1 2 3 4 5; do
    out=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' -H "Authorization: Bearer $token" "$base$path")
    code=${out%% *}; rest=${out#* }; size=${rest%% *}; times+=("${rest#* }")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '%-70s %s %8s B  min %s  max %s\n' "$path" "$code" "$size" "$(head -1 <<<"$sorted")" "$(tail -1 <<<"$sorted")"
done
