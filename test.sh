#!/usr/bin/env bash
# Runs every test of the solution and ends with one line: "N passed, N failed, N skipped".
#
# Before the tests it makes sure that what they need is on the machine (Debian/Ubuntu):
#   - PostgreSQL (Debian's package), a running cluster on 127.0.0.1 and a password for the postgres user;
#     skipped when ROLLOUTER_TEST_POSTGRES names a server of your own;
#   - Chromium (Debian's package, /usr/bin/chromium) for the browser tests.
# It installs and starts them as root, or through sudo when run by another user.
#
# Environment:
#   ROLLOUTER_TEST_POSTGRES  Npgsql connection string of a server to use instead of the local one.
#   CI=true                  a skipped test fails the run.
#   TEST_RESULTS             folder for the .trx files (default: artifacts/test-results, emptied first).
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Data).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
ROOT=$(pwd)
RESULTS=${TEST_RESULTS:-$ROOT/artifacts/test-results}
DEFAULT_POSTGRES_PASSWORD=postgres

log() { printf '==> %s\n' "$*"; }
warn() { printf 'test.sh: %s\n' "$*" >&2; }

# Setup that cannot complete ends the run with an honest summary line.
die() {
    warn "$*"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
}

# ---------------------------------------------------------------------------------------------------------
# Privileges: root runs commands as they are; anyone else goes through sudo when it exists.
# ---------------------------------------------------------------------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
    AS_ROOT=()
elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT=(sudo)
else
    AS_ROOT=(missing)
fi

as_root() {
    if [[ ${AS_ROOT[0]:-} == missing ]]; then
        warn "needs root to run: $*"
        warn "run ./test.sh as root, install sudo, or set ROLLOUTER_TEST_POSTGRES to a PostgreSQL server you have."
        return 1
    fi
    "${AS_ROOT[@]}" "$@"
}

as_postgres() {
    # From /, so that psql does not complain that it cannot enter the caller's folder.
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && su postgres -s /bin/sh -c "$*")
    else
        (cd / && as_root -u postgres sh -c "$*")
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { warn "apt-get not found: install $* yourself"; return 1; }
    local wait=(-o DPkg::Lock::Timeout=600)
    if [[ $APT_UPDATED -eq 0 ]]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" -qq update || return 1
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" -qq -y install --no-install-recommends "$@" \
        </dev/null || return 1
}

# ---------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------
postgres_version() {
    # The newest server installed (Debian 12 ships 15).
    local server
    server=$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)
    [[ -x $server ]] && basename "$(dirname "$(dirname "$server")")"
}

postgres_answers() { # port
    PGPASSWORD=$DEFAULT_POSTGRES_PASSWORD PGCONNECT_TIMEOUT=3 \
        psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtqc 'select 1' >/dev/null 2>&1
}

ensure_postgres() {
    if [[ -n ${ROLLOUTER_TEST_POSTGRES:-} ]]; then
        log "PostgreSQL: using ROLLOUTER_TEST_POSTGRES from the environment"
        return 0
    fi

    # Cheap path: a server on 127.0.0.1:5432 already takes the default password.
    if command -v psql >/dev/null 2>&1 && postgres_answers 5432; then
        log "PostgreSQL: already running on 127.0.0.1:5432"
        export ROLLOUTER_TEST_POSTGRES="Host=127.0.0.1;Port=5432;Username=postgres;Password=$DEFAULT_POSTGRES_PASSWORD"
        return 0
    fi

    local version
    version=$(postgres_version)
    if [[ -z $version ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install postgresql || return 1
        version=$(postgres_version)
        [[ -n $version ]] || { warn "postgresql installed, but no server binary under /usr/lib/postgresql"; return 1; }
    fi

    if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
        log "PostgreSQL: creating cluster $version/main"
        as_root pg_createcluster --port 5432 "$version" main || return 1
    fi

    local port
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 ~ /^online/ { found = 1 } END { exit !found }'; then
        log "PostgreSQL: starting cluster $version/main"
        as_root pg_ctlcluster "$version" main start || return 1
    fi

    local tries=0
    until pg_isready -q -h 127.0.0.1 -p "$port" -t 2; do
        tries=$((tries + 1))
        [[ $tries -lt 60 ]] || { warn "PostgreSQL $version/main does not accept connections on 127.0.0.1:$port"; return 1; }
        sleep 1
    done

    if ! postgres_answers "$port"; then
        log "PostgreSQL: setting the password of the postgres user"
        as_postgres "psql -p $port -XAtqc \"ALTER USER postgres PASSWORD '$DEFAULT_POSTGRES_PASSWORD'\"" || return 1
        postgres_answers "$port" || { warn "PostgreSQL refuses password sign-in on 127.0.0.1:$port (pg_hba.conf?)"; return 1; }
    fi

    log "PostgreSQL $version/main: accepting connections on 127.0.0.1:$port"
    export ROLLOUTER_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=$DEFAULT_POSTGRES_PASSWORD"
}

# ---------------------------------------------------------------------------------------------------------
# Chromium for the browser tests (Playwright drives /usr/bin/chromium; its own browser download is never used).
# ---------------------------------------------------------------------------------------------------------
ensure_chromium() {
    if [[ -x /usr/bin/chromium ]]; then
        return 0
    fi
    apt_install chromium || return 1
    [[ -x /usr/bin/chromium ]] || { warn "the chromium package did not install /usr/bin/chromium"; return 1; }
}

# ---------------------------------------------------------------------------------------------------------
# nginx for the tests of the documented reverse proxy configuration (NginxConfigurationTests start their own
# instance as a process, with its own configuration and files; the system's service is never used).
# ---------------------------------------------------------------------------------------------------------
ensure_nginx() {
    if [[ -x /usr/sbin/nginx ]]; then
        return 0
    fi
    apt_install nginx || return 1
    [[ -x /usr/sbin/nginx ]] || { warn "the nginx package did not install /usr/sbin/nginx"; return 1; }
    # The package starts the system's service on port 80 where systemd runs: the tests do not need it.
    # Without systemd (a container), the package's init script may have started it: stop that too.
    as_root systemctl disable --now nginx >/dev/null 2>&1 || as_root service nginx stop >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------------------------------------
# Test results
# ---------------------------------------------------------------------------------------------------------
# Names of the tests that failed, with the first lines of their messages, so that a CI log's tail says which.
list_failures() {
    find "$RESULTS" -name '*.trx' -type f 2>/dev/null | while IFS= read -r trx; do
        perl -0777 -ne '
            while (/<UnitTestResult\b([^>]*?)(?:\/>|>(.*?)<\/UnitTestResult>)/sg) {
                my ($attrs, $body) = ($1, $2 // "");
                next unless $attrs =~ /outcome="(Failed|Error|Timeout|Aborted)"/;
                my ($name) = $attrs =~ /testName="([^"]*)"/;
                my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
                $message //= "";
                for ($name, $message) { s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/\x27/g; s/&#xD;//g; s/&#xA;/\n/g; s/&amp;/&/g; }
                my @lines = grep { /\S/ } split /\n/, $message;
                print "FAILED $name\n";
                print "    $_\n" for @lines[0 .. ($#lines < 7 ? $#lines : 7)];
            }' "$trx"
    done
}

# Add the <Counters/> of every .trx file.
count_results() {
    # Prints "total passed failed skipped files". Errors, timeouts and aborts count as failures. VSTest leaves
    # the notExecuted counter at 0 for skipped tests, so skipped tests are counted from their results too.
    local trx counters skipped
    find "$RESULTS" -name '*.trx' -type f 2>/dev/null | while IFS= read -r trx; do
        counters=$(tr '\n' ' ' <"$trx" | grep -o '<Counters [^>]*>' | head -n 1)
        skipped=$(tr '\n' ' ' <"$trx" | grep -o '<UnitTestResult [^>]*>' | grep -c 'outcome="NotExecuted"')
        echo "${counters:-<Counters />} skippedResults=\"$skipped\""
    done | awk '
        function attr(name,   m) {
            if (match($0, " " name "=\"[0-9]+\"")) {
                m = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0
            }
            return 0
        }
        {
            files++
            total += attr("total"); passed += attr("passed")
            failed += attr("failed") + attr("error") + attr("timeout") + attr("aborted")
            s = attr("notExecuted"); if (attr("skippedResults") > s) s = attr("skippedResults"); skipped += s
        }
        END { printf "%d %d %d %d %d\n", total, passed, failed, skipped, files }'
}

# ---------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null 2>&1 || die "dotnet not found: install the .NET SDK named in global.json"

ensure_postgres || die "PostgreSQL is not available for the tests"
ensure_chromium || die "Chromium (/usr/bin/chromium) is not available for the browser tests"
ensure_nginx || die "nginx (/usr/sbin/nginx) is not available for the reverse proxy tests"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [[ -f .config/dotnet-tools.json ]]; then
    dotnet tool restore >/dev/null || die "dotnet tool restore failed"
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# File watchers poll instead of taking inotify instances (128 per user): the suite starts dozens of app hosts and
# app processes at once, each watching files it never sees change.
export DOTNET_USE_POLLING_FILE_WATCHER=1

log "dotnet test Rollouter.Import.sln"
started=$SECONDS
dotnet test Rollouter.Import.sln \
    --results-directory "$RESULTS" \
    --logger "trx" \
    --logger "console;verbosity=normal" \
    "$@"
code=$?
log "dotnet test exited with $code after $((SECONDS - started)) s"

read -r total passed failed skipped files <<<"$(count_results)"
status=0
if [[ $files -eq 0 ]]; then
    warn "no test results were written (did the build fail?)"
    passed=0 failed=1 skipped=0 status=1
else
    if [[ $failed -gt 0 ]]; then
        status=1
    fi
    if [[ $code -ne 0 && $failed -eq 0 ]]; then
        # The build, a test host or a project failed outside any test: count it once.
        warn "dotnet test failed ($code) with no failing test in the results"
        failed=1 status=1
    fi
    if [[ $total -eq 0 ]]; then
        warn "no test ran"
        status=1
    fi
    if [[ ${CI:-} == true && $skipped -gt 0 ]]; then
        warn "$skipped skipped test(s): in CI every test must run"
        status=1
    fi
fi

if [[ $failed -gt 0 ]]; then
    list_failures
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
