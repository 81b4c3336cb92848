#!/usr/bin/env bash
# Vendors the dashboard's chart and world-map assets (no CDN: padron works
# offline). Reproducible: pinned npm releases, each checked against its SHA-256.
#   scripts/vendor-charts.sh    # rewrites padron/ui/static/vendor/
#
# chart.js           the charts (per-day line, birth-year histogram, gender split)
# chartjs-chart-geo  the choropleth for Chart.js (its UMD build bundles the
#                    d3-geo, d3-array, d3-color, d3-interpolate, d3-scale-chromatic
#                    and topojson-client code it uses, all ISC)
# world-atlas        country shapes (Natural Earth 1:110m, public domain), keyed
#                    by ISO 3166-1 numeric code
set -euo pipefail
cd "$(dirname "$0")/.."
# name version sha256-of-the-npm-tarball files-to-copy...
packages=(
  "chart.js 4.5.1 f540d98468457ac7a0aabb32006dfb066297e096c5ea063a5d80aa973d1c337a dist/chart.umd.min.js LICENSE.md"
  "chartjs-chart-geo 4.3.6 cc59fae0735edaa9117d3a4db01aed84cf2819ce7154e43e4222b542f091090e build/index.umd.min.js LICENSE"
  "world-atlas 2.0.2 032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97 countries-110m.json LICENSE"
)
# The code chartjs-chart-geo's UMD build bundles (the versions its package
# declares): their licence texts go beside it, as ISC asks.
bundled=(
  "d3-array 3.2.4 6dbf3f2be39e48f86775be6e166a5d3e5a585ca7144453cd6ad1912f5ae4417f"
  "d3-color 3.1.0 d41bbcd99dd4f00e696546bffc73fed9b8fb6c3354905b6ea1721bff25f33b42"
  "d3-geo 3.1.1 fe1f2dd81a87d942790c5a7786f4aab03df2b357d46d8af56b613fb8a1bb9be5"
  "d3-interpolate 3.0.1 7e8df78d233cd102a0bb518658dc0b7d5c38442b6f2dbc8b95ffc14ba87c7c33"
  "d3-scale-chromatic 3.1.0 2573f980e0acbbecc919f5c5fdf7cd3a8110eda2497da7b94ae303fab9c32aa4"
  "topojson-client 3.1.0 889fadb422f6236d0f8337a236ce6499f258b75e44b81733b13bd971067322bf"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=padron/ui/static/vendor

fetch() {  # name version sha256: unpacks the checked tarball into $work/name/package
  (cd "$work" && npm pack --silent "$1@$2" >/dev/null)
  echo "$3  $work/$1-$2.tgz" | sha256sum -c --quiet -
  mkdir -p "$work/$1" && tar xzf "$work/$1-$2.tgz" -C "$work/$1"
}

rm -rf "$root" && mkdir -p "$root"
for entry in "${packages[@]}"; do
  read -r name version sha256 files <<<"$entry"
  fetch "$name" "$version" "$sha256"
  mkdir -p "$root/$name"
  for f in $files; do cp "$work/$name/package/$f" "$root/$name/"; done
  echo "$version" > "$root/$name/VERSION"
  echo "vendored $name $version into $root/$name"
done
for entry in "${bundled[@]}"; do
  read -r name version sha256 <<<"$entry"
  fetch "$name" "$version" "$sha256"
  cp "$work/$name/package/LICENSE" "$root/chartjs-chart-geo/LICENSE.$name"
  echo "$name $version" >> "$root/chartjs-chart-geo/BUNDLED"
done
