#!/bin/sh
# Runs from the nginx image's entrypoint (/docker-entrypoint.d/) before the
# template is rendered: refuses to start when a template variable would break
# the nginx configuration or inject directives into it, naming each bad value.
set -eu

ME=$(basename "$0")
fail=0

bad() {
  echo "$ME: $1" >&2
  fail=1
}

# True when $1 is a single line matching the extended regex $2.
matches() {
  case "$1" in
    *'
'*) return 1 ;;
  esac
  printf '%s\n' "$1" | grep -Eq "$2"
}

matches "${LISTEN_PORT:-}" '^([0-9.]+:)?[0-9]{1,5}$' \
  || bad "LISTEN_PORT=\"${LISTEN_PORT:-}\" must be a port number such as 8080"

matches "${SERVER_UPSTREAM:-}" '^[A-Za-z0-9.-]+:[0-9]{1,5}$' \
  || bad "SERVER_UPSTREAM=\"${SERVER_UPSTREAM:-}\" must be host:port, such as scim-console-server:8080"

case "${SCIM_CONNECT_SRC:-}" in
  *'
'*) bad "SCIM_CONNECT_SRC must be one line of space-separated origins" ;;
  *)
    # Word splitting is intended (one origin per word); globbing is not.
    set -f
    for origin in ${SCIM_CONNECT_SRC:-}; do
      matches "$origin" '^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$' \
        || bad "SCIM_CONNECT_SRC: \"$origin\" is not an origin such as https://acme.okta.com (space-separated, no path)"
    done
    set +f
    ;;
esac

matches "${HSTS_VALUE:-}" '^(max-age=[0-9]+(; ?includeSubDomains)?(; ?preload)?)?$' \
  || bad "HSTS_VALUE=\"${HSTS_VALUE:-}\" must be empty or like max-age=31536000; includeSubDomains"

if [ "$fail" -ne 0 ]; then
  echo "$ME: refusing to start nginx with the values above" >&2
  exit 1
fi
exit 0
