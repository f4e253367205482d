# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A real Prometheus (Debian's) for the tests: started by the test, on
# loopback, with its data in a temporary directory, and stopped at its end.

# prom_start DIR PORT TARGET [RULES [FLAGS]]: scrapes TARGET (host:port)
# every second; FLAGS: more of Prometheus' options (--enable-feature=...)
prom_start() {
	local dir=$1 port=$2 target=$3 rules=${4:-} flags=${5:-}
	mkdir -p "$dir/data"
	{
		echo "global: { scrape_interval: 1s, evaluation_interval: 1s }"
		[ -n "$rules" ] && echo "rule_files: [ '$rules' ]"
		echo "scrape_configs:"
		echo "  - job_name: tdxtop"
		echo "    static_configs: [ { targets: [ '$target' ] } ]"
	} >"$dir/prometheus.yml"
	prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
		--web.listen-address="127.0.0.1:$port" --log.level=warn $flags \
		>"$dir/prometheus.log" 2>&1 &
	PROM_PID=$!
	PROM_URL="http://127.0.0.1:$port"
	local i
	for i in $(seq 1 100); do
		curl -sf "$PROM_URL/-/ready" >/dev/null 2>&1 && return 0
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "# prometheus did not start:"; sed 's/^/# /' "$dir/prometheus.log" | tail -5
	return 1
}

prom_stop() {
	[ -n "${PROM_PID:-}" ] || return 0
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}

# prom_query QUERY: the API's whole JSON answer
prom_query() {
	curl -sf -G "$PROM_URL/api/v1/query" --data-urlencode "query=$1"
}

# prom_value QUERY: the value of a one-sample answer ("" when none)
prom_value() {
	prom_query "$1" | jq -r 'if .status == "success" and (.data.result | length) == 1
		then .data.result[0].value[1] else "" end'
}

# prom_wait QUERY WANT [SECONDS]: until the query gives WANT
prom_wait() {
	local i v
	for i in $(seq 1 $((${3:-30} * 5))); do
		v=$(prom_value "$1")
		[ "$v" = "$2" ] && return 0
		sleep 0.2
	done
	echo "# $1: got '$v', want '$2'"
	return 1
}

# free_port: a TCP port nothing listens on
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# pb_decode FILE: each delimited MetricFamily message of a protobuf scrape
# as protoc decodes it with tools/tdxtop/output/metrics.proto, "--" between;
# status 1 when a length or a message is wrong
pb_decode() {
	local -a b
	local i=0 n len shift byte proto=$top/tools/tdxtop/output
	mapfile -t b < <(od -An -v -tu1 -w1 "$1" | tr -d ' ')
	n=${#b[@]}
	while [ "$i" -lt "$n" ]; do
		len=0 shift=0
		while :; do	# the length: a varint
			[ "$i" -lt "$n" ] || return 1
			byte=${b[i]}
			i=$((i + 1))
			len=$((len | (byte & 127) << shift))
			shift=$((shift + 7))
			[ "$byte" -lt 128 ] && break
		done
		[ $((i + len)) -le "$n" ] || return 1
		tail -c +$((i + 1)) "$1" | head -c "$len" |
			protoc --proto_path="$proto" --decode=io.prometheus.client.MetricFamily \
				metrics.proto || return 1
		echo --
		i=$((i + len))
	done
}
