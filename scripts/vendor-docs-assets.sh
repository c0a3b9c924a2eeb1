#!/usr/bin/env bash
# Refreshes the Swagger UI and ReDoc files that syda-server compiles into its
# binary (syda-server/assets/), from the npm registry. Run it by hand when
# upgrading; builds never download anything.
#   scripts/vendor-docs-assets.sh [SWAGGER_UI_VERSION] [REDOC_VERSION]
set -euo pipefail
swagger="${1:-5.35.0}"
redoc="${2:-2.5.4}"
root="$(cd "$(dirname "$0")/.." && pwd)"
assets="$root/syda-server/assets"
REDOC_LOGO="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "swagger-ui-dist@$swagger" "redoc@$redoc" >/dev/null
tar xzf "swagger-ui-dist-$swagger.tgz" package/swagger-ui-bundle.js package/swagger-ui.css package/LICENSE
cp package/swagger-ui-bundle.js package/swagger-ui.css "$assets/"
cp package/LICENSE "$assets/swagger-ui.LICENSE"
rm -rf package
tar xzf "redoc-$redoc.tgz" package/bundles/redoc.standalone.js package/bundles/redoc.standalone.js.LICENSE.txt package/LICENSE
cp package/bundles/redoc.standalone.js package/bundles/redoc.standalone.js.LICENSE.txt "$assets/"
# ReDoc's footer loads its logo from a CDN; offline pages must not fetch
# anything, so the logo becomes an empty inline image.
sed -i "s#https://cdn.redoc.ly/redoc/logo-mini.svg#$REDOC_LOGO#" "$assets/redoc.standalone.js"
if grep -q 'cdn\.' "$assets/redoc.standalone.js"; then
    echo "redoc.standalone.js still names a CDN; patch it before committing" >&2
    exit 1
fi
cp package/LICENSE "$assets/redoc.LICENSE"
echo "swagger-ui-dist $swagger and redoc $redoc copied to $assets"
