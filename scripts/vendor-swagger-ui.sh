#!/usr/bin/env bash
# Vendors the Swagger UI assets that padron serves at /docs (no CDN: padron works
# offline). Reproducible: a pinned npm release, checked against its SHA-256.
#   scripts/vendor-swagger-ui.sh    # rewrites padron/api/static/swagger-ui/
set -euo pipefail
cd "$(dirname "$0")/.."
version=5.35.0
sha256=1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
echo "$sha256  $work/swagger-ui-dist-$version.tgz" | sha256sum -c --quiet -
tar xzf "$work/swagger-ui-dist-$version.tgz" -C "$work"
target=padron/api/static/swagger-ui
rm -rf "$target" && mkdir -p "$target"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do cp "$work/package/$f" "$target/"; done
echo "$version" > "$target/VERSION"
echo "vendored swagger-ui-dist $version into $target"
