#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# contrib/prometheus/tdxtop.rules.yml: promtool check rules, and its unit
# tests (tests/serve/tdxtop.rules.test.yml: each alert fires on its data
# and not beside it); the Grafana dashboard is valid JSON whose queries name
# only metrics tdxtop serve exports.  (tests/serve/vm-serve.sh runs every
# query against a Prometheus scraping the real endpoint.)
. "$(dirname "$0")/../lib.sh"
plan 4
if ! command -v promtool >/dev/null; then
	for i in $(seq 4); do skip "needs promtool"; done
	exit 0
fi
r=$(promtool check rules "$top/contrib/prometheus/tdxtop.rules.yml" 2>&1)
check "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$r")" grep -q SUCCESS <<<"$r"
t=$(cd "$top/tests/serve" && promtool test rules tdxtop.rules.test.yml 2>&1)
check "promtool test rules: every alert's unit tests pass" grep -q SUCCESS <<<"$t"
grep -q SUCCESS <<<"$t" || diag "$t"
d=$top/contrib/grafana/tdxtop.json
check "contrib/grafana/tdxtop.json is a dashboard with panels" \
	test "$(jq '[.panels[] | select(.targets)] | length' "$d" 2>/dev/null)" -ge 8
# every tdxtop_* name a query uses is in the exposition (tests/serve/serve.sh's
# endpoint writes them all; histogram names with their _bucket suffix)
src=$top/tools/tdxtop/output/prom.c
bad=
for m in $(jq -r '.. | .expr? // .query? | strings' "$d" | grep -o 'tdxtop_[a-z_]*' | sort -u); do
	base=$(sed -E 's/_(bucket|total|sum|count|info)$//' <<<"$m")
	grep -q "\"$base\"" "$src" || bad="$bad $m"
done
is "$bad" "" "the dashboard queries only metrics prom.c writes"
done_testing
