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
cp package/LICENSE "$assets/redoc.LICENSE"
echo "swagger-ui-dist $swagger and redoc $redoc copied to $assets"
