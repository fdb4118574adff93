#!/usr/bin/env bash
# Times pages and API calls as a signed-in user: time-pages.sh BASE EMAIL PATH... (each path 5 times; prints min and max).
# e.g. bench/scale-axes/time-pages.sh http://127.0.0.1:5640 admin@demo.test /rollouts /settings/users
set -euo pipefail
base=$1; email=$2; shift 2
jar=$(mktemp); trap 'rm -f "$jar"' EXIT
token=$(curl -s -c "$jar" -b "$jar" "$base/account/login" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$jar" -b "$jar" -H "Origin: $base" --data-urlencode "__RequestVerificationToken=$token" \
  --data-urlencode "Email=$email" --data-urlencode "Password=Demo!2026" "$base/account/login"
for path in "$@"; do
  times=(); code=; size=
  for i in 1 2 3 4 5; do
    out=$(curl -s -o /tmp/scale-page.html -w '%{http_code} %{time_total} %{size_download}' -b "$jar" "$base$path")
    code=${out%% *}; rest=${out#* }; times+=("${rest%% *}"); size=${rest#* }
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '%-70s %s %8s B  min %s  max %s\n' "$path" "$code" "$size" "$(head -1 <<<"$sorted")" "$(tail -1 <<<"$sorted")"
done
