#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tdxtop report --format hlog, read by an independent HdrHistogram decoder
# (hdr-histogram-js from npm): every histogram of every interval decodes,
# with the count tdxtop reports and its percentiles in the same bucket.
. "$(dirname "$0")/../lib.sh"
plan 4
if [ "$(id -u)" != 0 ]; then
	for i in 1 2 3 4; do skip "needs root (BPF)"; done
	exit 0
fi
node_dir=$TDXTOP_CACHE/node
if [ ! -f "$node_dir/node_modules/hdr-histogram-js/package.json" ]; then
	mkdir -p "$node_dir"
	(cd "$node_dir" && npm install --no-audit --no-fund --silent hdr-histogram-js@3.0.1) \
		>"$OUTPUT/npm.log" 2>&1
fi
check "hdr-histogram-js 3.0.1 is installed (npm)" test -f "$node_dir/node_modules/hdr-histogram-js/package.json"
d=$(mktemp -d /tmp/tdxtop-hlog.XXXXXX)
trap 'rm -rf "$d"' EXIT
"$OUTPUT/tests/record/gen" "$d/r.db" 7 10 >/dev/null
"$OUTPUT/tdxtop" report --format hlog "$d/r.db" >"$d/r.hlog"
"$OUTPUT/tdxtop" report -j "$d/r.db" >"$d/r.json"
res=$(NODE_PATH=$node_dir/node_modules node "$top/tests/record/hlog-check.js" "$d/r.hlog" "$d/r.json")
diag "$res"
check "every histogram decodes and matches one of tdxtop's (180: 10 intervals x 6 reasons x 3 metrics)" \
	test "$(jq -c '[.histograms, .compared, .unexpected, .missing]' <<<"$res")" = "[180,180,0,0]"
is "$(jq .count_mismatch <<<"$res")" 0 "each decoded count equals tdxtop's sample count"
is "$(jq .pct_mismatch <<<"$res")" 0 "p50, p90, p99, p99.9 of the decoder fall in tdxtop's bucket"
done_testing
