#!/usr/bin/env bash
# pmkb benchmarks, side by side with tantivy-cli and ripgrep, on one
# synthetic corpus in one run.
#
#   bench/run.sh [--posts N] [--seed S] [--duration SECS] [--connections C]
#                [--quiet-wait SECS] [--regen]
#
# Defaults: 10,000 posts, seed 42, 15 s of HTTP load per server, 16
# connections. Before each measured step the script waits (at most
# --quiet-wait SECS, default 90) for the machine to be idle, since other
# work on a 2-core machine skews every figure; the table says how idle it
# was. `--posts 100000` for the large run. The corpus is generated
# once per (N, seed) into bench/out/work-N-sS/ and reused (`--regen` makes it
# again); the indexes are always rebuilt. The table goes to stdout and to
# bench/out/results-N.md.
#
# Tools are installed on first use, idempotently: /usr/bin/time (Debian
# `time`), rg (Debian `ripgrep`), and tantivy-cli and oha into bench/tools
# with `cargo install --locked --root bench/tools`. Servers listen on
# 127.0.0.1 only; every wait and every load run is bounded, and the script
# stops the servers it started (by pid) however it exits.
set -euo pipefail

POSTS=10000
SEED=42
DURATION=15
CONNS=16
REGEN=0
QUIET_WAIT=90
while [ $# -gt 0 ]; do
    case "$1" in
        --posts) POSTS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --connections) CONNS="$2"; shift 2 ;;
        --regen) REGEN=1; shift ;;
        --quiet-wait) QUIET_WAIT="$2"; shift 2 ;;
        -h|--help) awk 'NR>1 && !/^#/ {exit} NR>1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$POSTS$SEED$DURATION$CONNS$QUIET_WAIT" in *[!0-9]*) echo "run.sh: numbers only" >&2; exit 2 ;; esac

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/corpus.sh
. "$ROOT/bench/corpus.sh"
TOOLS=$ROOT/bench/tools
OUT=$ROOT/bench/out
WORK=$OUT/work-$POSTS-s$SEED
RESULTS=$OUT/results-$POSTS.md
mkdir -p "$TOOLS" "$OUT" "$WORK"
export PATH="$TOOLS/bin:$PATH"

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

PIDS=()
EDITED=""
cleanup() {
    # Never leave the corpus edited.
    if [ -n "$EDITED" ] && [ -f "$WORK/edited.backup" ]; then cp "$WORK/edited.backup" "$EDITED"; fi
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM

# ------------------------------------------------------------------ tools
APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
[ -x /usr/bin/time ] || { log "installing time"; apt_install time; }
command -v rg >/dev/null || { log "installing ripgrep"; apt_install ripgrep || cargo install --locked --root "$TOOLS" ripgrep; }
command -v jq >/dev/null || { log "installing jq"; apt_install jq; }
command -v curl >/dev/null || { log "installing curl"; apt_install curl; }
# tantivy-cli and oha build with their own target dir, outside the tree.
# A locked install can fail on a newer compiler (tantivy-cli 0.24's lock
# file pins traitobject 0.1.0, which rustc 1.9x refuses); the unlocked
# install then takes the fixed semver-compatible releases.
install_tool() { # install_tool CRATE
    CARGO_TARGET_DIR=$OUT/tools-target cargo install --locked --root "$TOOLS" "$1" >&2 || {
        log "locked install of $1 failed; retrying with the newest compatible dependencies"
        CARGO_TARGET_DIR=$OUT/tools-target cargo install --root "$TOOLS" "$1" >&2
    }
}
if [ ! -x "$TOOLS/bin/tantivy" ]; then
    log "installing tantivy-cli into bench/tools (a few minutes)"
    install_tool tantivy-cli
fi
if [ ! -x "$TOOLS/bin/oha" ]; then
    log "installing oha into bench/tools (a few minutes)"
    install_tool oha
fi

# pmkb is measured as it is deployed: the release-lto profile (Cargo.toml),
# its in-process query benchmark too. The generator and the bare-tantivy
# peer are built as plain release, as tantivy-cli ships.
log "building pmkb and bench_query (cargo build --profile release-lto: about 9 min the first time) and the other bench examples"
cargo build --profile release-lto --bin pmkb --example bench_query >&2
cargo build --release --example gen_corpus --example bench_tantivy >&2
PMKB=$ROOT/target/release-lto/pmkb
LTO_EX=$ROOT/target/release-lto/examples
EX=$ROOT/target/release/examples

# ------------------------------------------------------------------ helpers
# timev NAME CMD...: runs CMD under /usr/bin/time -v (output in WORK/NAME.*).
timev() {
    local name=$1; shift
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
}
wall_s() { # seconds from a time -v report ("h:mm:ss" or "m:ss.cc")
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$WORK/$1.time"
}
cpu_s() { awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$WORK/$1.time"; }
cpu_pct() { awk -F': ' '/Percent of CPU/ {print $2}' "$WORK/$1.time"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/$1.time"; }
key() { awk -v k="$2" '$1==k {print $2; exit}' "$1"; }
now_ns() { date +%s%N; }
ms_since() { echo "scale=3; ($(now_ns) - $1) / 1000000" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else print a[int((NR+1)/2)]}'; }
# The full imports and the in-process queries run RUNS times each, turn
# about with their peer: on a shared VM one run moves by up to a quarter.
RUNS=3
# per_run GETTER NAME: the GETTER figure of each run of NAME, one a line.
per_run() { for run in $(seq 1 $RUNS); do echo "$("$1" "$2" "$run")"; done; }
# median_run GETTER NAME: the number of the run whose figure is the median.
median_run() { for run in $(seq 1 $RUNS); do echo "$("$1" "$2" "$run") $run"; done | sort -n | awk -v m=$(((RUNS + 1) / 2)) 'NR==m {print $2}'; }
range_of() { per_run "$1" "$2" | sort -n | paste -sd/; }
wall_of() { wall_s "$1.$2"; }
# figure_of KEY NAME RUN: a figure of a bench_query / bench_tantivy run.
figure_of() { key "$WORK/$2.$3.txt" "$1"; }
p50_of() { figure_of p50_ms "$1" "$2"; }
ratio() { # ratio A B [digits]
    if [ -z "$1" ] || [ -z "$2" ] || [ "$(echo "$2 == 0" | bc)" = 1 ]; then echo "n/a"; else printf "%.${3:-2}f" "$(echo "scale=6; $1 / $2" | bc)"; fi
}
le() { [ "$(echo "$1 <= $2" | bc)" = 1 ] && echo "met" || echo "**missed**"; }
ge() { [ "$(echo "$1 >= $2" | bc)" = 1 ] && echo "met" || echo "**missed**"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # wait_http URL SECONDS PID
    local deadline=$(( $(date +%s) + $2 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        kill -0 "$3" 2>/dev/null || return 1
        curl -s -o /dev/null --max-time 2 "$1" && return 0
        sleep 0.5
    done
    return 1
}
# Percentage of CPU time idle over one second, all cores.
idle_pct() {
    local a b
    read -r -a a </proc/stat; sleep 1; read -r -a b </proc/stat
    local total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    echo $(( total > 0 ? 100 * (b[4] + b[5] - a[4] - a[5]) / total : 100 ))
}
IDLE_NOTES=()
# quiet STEP: waits until the cores are >= 90% idle (bounded), and notes it.
quiet() {
    local deadline=$(( $(date +%s) + QUIET_WAIT )) idle
    while :; do
        idle=$(idle_pct)
        [ "$idle" -ge 90 ] && break
        if [ "$(date +%s)" -ge "$deadline" ]; then
            log "$1: machine still busy (${idle}% idle), measuring anyway"
            break
        fi
    done
    IDLE_NOTES+=("$1 ${idle}%")
}
proc_mb() { awk -v k="$2:" '$1==k {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# oha_run NAME URLS_FILE: DURATION seconds of load; sets RPS P50 P99 ERR OK
oha_run() {
    local name=$1 urls=$2
    # A short warm-up, then the measured run.
    quiet "$name"
    oha --no-tui -z 2s -c "$CONNS" --urls-from-file "$urls" --output-format json >/dev/null 2>&1 || true
    oha --no-tui -z "${DURATION}s" -w -c "$CONNS" -t 10s --urls-from-file "$urls" --output-format json \
        >"$WORK/$name.json" 2>"$WORK/$name.err"
    RPS=$(jq -r '.summary.requestsPerSec | . * 10 | round / 10' "$WORK/$name.json")
    P50=$(jq -r '.latencyPercentiles.p50 * 1000 | . * 100 | round / 100' "$WORK/$name.json")
    P99=$(jq -r '.latencyPercentiles.p99 * 1000 | . * 100 | round / 100' "$WORK/$name.json")
    OK=$(jq -r '[.statusCodeDistribution | to_entries[] | select(.key|startswith("2")) | .value] | add // 0' "$WORK/$name.json")
    ERR=$(jq -r '([.statusCodeDistribution | to_entries[] | select(.key|startswith("2")|not) | .value] | add // 0) + ([.errorDistribution | to_entries[] | .value] | add // 0)' "$WORK/$name.json")
}

# ------------------------------------------------------------------ corpus
CORPUS=$WORK/posts
QUERIES=$WORK/queries.txt
DOCS=$WORK/docs.jsonl
if [ "$REGEN" = 1 ] || [ ! -f "$WORK/corpus.complete" ]; then
    log "generating $POSTS posts (seed $SEED)"
    generate_corpus "$WORK" "$POSTS" "$SEED" "$EX" "$ROOT"
fi
cat "$WORK/gen.log" >&2 || true
GEN_S=$(printf "%.1f" "$(echo "$(cat "$WORK/corpus.complete") / 1000" | bc -l)")
FILES=$(find "$CORPUS" -type f | wc -l)
BYTES=$(find "$CORPUS" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
MB=$(echo "scale=1; $BYTES / 1000000" | bc)
NQ=$(grep -c . "$QUERIES")
RGQ=$(head -1 "$QUERIES")
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ full imports
# The table shows the run with the median time of each tool (its CPU and
# RSS too): one run apiece moved the ratio from 1.55 to 1.77.
IDX=$WORK/pmkb-index
TIDX=$WORK/tantivy-index
for run in $(seq 1 $RUNS); do
    rm -rf "$IDX"
    log "pmkb: full import (run $run of $RUNS)"
    quiet "pmkb import"
    timev "import.$run" "$PMKB" --posts "$CORPUS" --index "$IDX" import
    log "pmkb: $(cat "$WORK/import.$run.out") [$(wall_s "import.$run")s, $(rss_mb "import.$run") MB]"
    rm -rf "$TIDX"
    # Schema: title and body, both text (en_stem, positions) and stored.
    printf 'title\nText\nY\nN\nY\nY\nY\nY\nY\nbody\nText\nY\nN\nY\nY\nY\nY\nN\n' \
        | tantivy new -i "$TIDX" >"$WORK/tantivy-new.log" 2>&1
    log "tantivy-cli: index $(basename "$DOCS") with $(nproc) threads (run $run of $RUNS)"
    quiet "tantivy-cli index"
    timev "tindex.$run" tantivy index -i "$TIDX" -f "$DOCS" -t "$(nproc)"
    log "tantivy-cli: $(wall_s "tindex.$run")s, $(rss_mb "tindex.$run") MB"
done
for name in import tindex; do
    m=$(median_run wall_of "$name")
    for ext in time out err; do cp "$WORK/$name.$m.$ext" "$WORK/$name.$ext"; done
done
IMPORT_RANGE=$(range_of wall_of import)
TIMPORT_RANGE=$(range_of wall_of tindex)
IMPORT_S=$(wall_s import); IMPORT_RSS=$(rss_mb import); IMPORT_CPU=$(cpu_s import); IMPORT_PCT=$(cpu_pct import)
grep -q "$POSTS added" "$WORK/import.out" || { log "unexpected import result: $(cat "$WORK/import.out")"; }
SKIPPED=$(grep -c '^skipped' "$WORK/import.err" || true)
TIMPORT_S=$(wall_s tindex); TIMPORT_RSS=$(rss_mb tindex); TIMPORT_CPU=$(cpu_s tindex); TIMPORT_PCT=$(cpu_pct tindex)
TINDEX_MB=$(du -sb "$TIDX" | awk '{printf "%.1f", $1/1e6}')
DOCS_MB=$(du -sb "$DOCS" | awk '{printf "%.1f", $1/1e6}')

log "pmkb: re-import, nothing changed"
quiet "pmkb re-import"
timev reimport "$PMKB" --posts "$CORPUS" --index "$IDX" import
REIMPORT_S=$(wall_s reimport)
log "pmkb: $(cat "$WORK/reimport.out")"

log "pmkb: re-import after one edit"
EDITED=$(find "$CORPUS" -name '20*.md' -type f | sort | awk 'NR==1')
cp "$EDITED" "$WORK/edited.backup"
printf '\nA week later the same alert fired again and the connection pool was resized a second time.\n' >>"$EDITED"
quiet "pmkb edit"
timev edit "$PMKB" --posts "$CORPUS" --index "$IDX" import
EDIT_S=$(wall_s edit)
log "pmkb: $(cat "$WORK/edit.out")"
grep -q "1 updated" "$WORK/edit.out" || log "unexpected: the edit was not one update"
cp "$WORK/edited.backup" "$EDITED"
EDITED=""
timev restore "$PMKB" --posts "$CORPUS" --index "$IDX" import
log "pmkb: edit reverted: $(cat "$WORK/restore.out")"
INDEX_MB=$(du -sb "$IDX" | awk '{printf "%.1f", $1/1e6}')

# ------------------------------------------------------------------ in-process queries
# The table takes the median of each figure over the runs, so a change is
# not mistaken for noise (nor noise for one).
for run in $(seq 1 $RUNS); do
    log "pmkb: $NQ queries x 3 rounds in-process (run $run of $RUNS)"
    quiet "pmkb queries"
    "$LTO_EX/bench_query" --index "$IDX" --queries "$QUERIES" --rounds 3 >"$WORK/bench_query.$run.txt" 2>"$WORK/bench_query.err"
    grep -E '^p(50|99)_ms' "$WORK/bench_query.$run.txt" | tr '\n' ' ' >&2; echo >&2
    log "tantivy (bare, tantivy-cli's index): same queries in-process (run $run of $RUNS)"
    quiet "tantivy queries"
    "$EX/bench_tantivy" --index "$TIDX" --queries "$QUERIES" --rounds 3 >"$WORK/bench_tantivy.$run.txt" 2>"$WORK/bench_tantivy.err" || true
    grep -E '^p(50|99)_ms' "$WORK/bench_tantivy.$run.txt" | tr '\n' ' ' >&2; echo >&2
done
# The run with the median p50 stands for the others (its slowest queries,
# zero-hit count); the latency figures are medians over all runs.
cp "$WORK/bench_query.$(median_run p50_of bench_query).txt" "$WORK/bench_query.txt"
cp "$WORK/bench_tantivy.$(median_run p50_of bench_tantivy).txt" "$WORK/bench_tantivy.txt" 2>/dev/null || true
median_of() { for run in $(seq 1 $RUNS); do figure_of "$2" "$1" "$run"; done | median; }

# ------------------------------------------------------------------ one query: pmkb vs rg
log "single query \"$RGQ\": rg, pmkb, tantivy-cli"
quiet "single query"
"$LTO_EX/bench_query" --index "$IDX" --single "$RGQ" --repeat 50 >"$WORK/single.txt"
"$EX/bench_tantivy" --index "$TIDX" --single "$RGQ" --repeat 50 >"$WORK/tsingle.txt" 2>/dev/null || true
rg -i -c -- "$RGQ" "$CORPUS" >/dev/null || true  # warm the page cache
RG_MS=$(for _ in 1 2 3 4 5; do s=$(now_ns); rg -i -c -- "$RGQ" "$CORPUS" >/dev/null || true; ms_since "$s"; done | median)
RG_FILES=$(rg -i -c -- "$RGQ" "$CORPUS" | wc -l || true)
CLI_MS=$(for _ in 1 2 3 4 5; do s=$(now_ns); "$PMKB" --posts "$CORPUS" --index "$IDX" search "$RGQ" >/dev/null; ms_since "$s"; done | median)
TCLI_MS=$(for _ in 1 2 3; do s=$(now_ns); tantivy search -i "$TIDX" -q "$RGQ" >/dev/null 2>&1 || true; ms_since "$s"; done | median)
SINGLE_MS=$(key "$WORK/single.txt" single_p50_ms)
TSINGLE_MS=$(key "$WORK/tsingle.txt" single_p50_ms)

# ------------------------------------------------------------------ HTTP
# pmkb_serve_run NAME [SERVE ARGS...]: starts pmkb serve, loads it, stops it;
# sets RPS P50 P99 ERR OK HWM RSS.
pmkb_serve_run() {
    local name=$1; shift
    log "pmkb serve $*: ${DURATION}s of load, $CONNS connections"
    local port spid
    port=$(free_port)
    "$PMKB" --posts "$CORPUS" --index "$IDX" serve --addr "127.0.0.1:$port" "$@" >"$WORK/$name.out" 2>"$WORK/$name.serve.err" &
    spid=$!; PIDS+=("$spid")
    wait_http "http://127.0.0.1:$port/healthz" 120 "$spid" || { log "pmkb serve did not start"; cat "$WORK/$name.serve.err" >&2; exit 1; }
    head -1 "$WORK/$name.out" >&2
    jq -rR '@uri' "$QUERIES" | sed "s|^|http://127.0.0.1:$port/api/search?limit=10\&q=|" >"$WORK/urls-$name.txt"
    curl -s "http://127.0.0.1:$port/api/search?limit=10&q=$(head -1 "$QUERIES" | jq -rR '@uri')" \
        | jq -e '.hits | length > 0' >/dev/null || log "warning: /api/search returned no hits for the first query"
    oha_run "$name" "$WORK/urls-$name.txt"
    HWM=$(proc_mb "$spid" VmHWM); RSS=$(proc_mb "$spid" VmRSS)
    kill "$spid"; wait "$spid" 2>/dev/null || true
    log "pmkb serve $*: $RPS req/s, p50 $P50 ms, p99 $P99 ms, $ERR errors, VmHWM $HWM MB"
}
# The search itself: every request runs a search.
pmkb_serve_run oha-pmkb --cache-size 0
H_RPS=$RPS; H_P50=$P50; H_P99=$P99; H_ERR=$ERR; H_OK=$OK; H_HWM=$HWM; H_RSS=$RSS
# As served by default: the query mix repeats, so after the warm-up nearly
# every answer comes from the search cache.
pmkb_serve_run oha-pmkb-cached
C_RPS=$RPS; C_P50=$P50; C_P99=$P99; C_ERR=$ERR; C_OK=$OK; C_HWM=$HWM; C_RSS=$RSS

log "tantivy-cli serve: ${DURATION}s of load"
TPORT=$(free_port)
tantivy serve -i "$TIDX" --host 127.0.0.1 -p "$TPORT" >"$WORK/tserve.out" 2>"$WORK/tserve.err" &
TPID=$!; PIDS+=("$TPID")
if wait_http "http://127.0.0.1:$TPORT/api/?q=error&nhits=1" 120 "$TPID"; then
    jq -rR '@uri' "$QUERIES" | sed "s|^|http://127.0.0.1:$TPORT/api/?nhits=10\&q=|" >"$WORK/urls-tantivy.txt"
    oha_run oha-tantivy "$WORK/urls-tantivy.txt"
    T_RPS=$RPS; T_P50=$P50; T_P99=$P99; T_ERR=$ERR
    T_HWM=$(proc_mb "$TPID" VmHWM); T_RSS=$(proc_mb "$TPID" VmRSS)
    kill "$TPID"; wait "$TPID" 2>/dev/null || true
    log "tantivy-cli serve: $T_RPS req/s, p50 $T_P50 ms, p99 $T_P99 ms, $T_ERR errors, VmHWM $T_HWM MB"
else
    log "tantivy-cli serve did not start"; T_RPS=""; T_P50=""; T_P99=""; T_ERR=""; T_HWM=""; T_RSS=""
fi

# ------------------------------------------------------------------ table
Q=$WORK/bench_query.txt; T=$WORK/bench_tantivy.txt
P50=$(median_of bench_query p50_ms); P95=$(median_of bench_query p95_ms); P99=$(median_of bench_query p99_ms)
TP50=$(median_of bench_tantivy p50_ms); TP95=$(median_of bench_tantivy p95_ms); TP99=$(median_of bench_tantivy p99_ms)
P50_RANGE=$(range_of p50_of bench_query)
POSTS_S=$(echo "scale=0; $POSTS / $IMPORT_S" | bc); TPOSTS_S=$(echo "scale=0; $POSTS / $TIMPORT_S" | bc)
MB_S=$(echo "scale=2; $MB / $IMPORT_S" | bc); TMB_S=$(echo "scale=2; $DOCS_MB / $TIMPORT_S" | bc)
IMPORT_RATIO=$(ratio "$IMPORT_S" "$TIMPORT_S")
RG_SPEEDUP=$(ratio "$RG_MS" "$SINGLE_MS" 0)
HTTP_RATIO=$(ratio "$H_RPS" "$T_RPS")
CACHED_RATIO=$(ratio "$C_RPS" "$T_RPS")
http_verdict() { [ "$(ge "$1" 2000)" = met ] && [ "$(ge "$2" 1)" = met ] && echo met || echo '**missed**'; }

{
echo "# pmkb benchmark: $POSTS posts"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)'), pmkb built with --profile release-lto, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB, load average at start $LOAD, at end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shares its 2 cores: compare the CPU seconds too)."
echo "Corpus: \`gen_corpus --posts $POSTS --seed $SEED\`: $FILES files, $MB MB ($((BYTES / POSTS)) bytes/post), $SKIPPED posts skipped by the import; generated in ${GEN_S}s. Queries: $NQ (bench/out/$(basename "$WORK")/queries.txt). Page cache warm for every tool."
echo "Peers: tantivy-cli $(tantivy --version 2>/dev/null | awk '{print $2}') indexing the same posts as {title, body} JSON ($DOCS_MB MB) with \`-t $(nproc)\`; ripgrep $(rg --version | awk 'NR==1 {print $2}'); load by oha $(oha --version | awk '{print $2}'), ${DURATION}s, $CONNS connections, URLs drawn at random from the query mix."
echo
echo "| measure | pmkb | tantivy-cli | rg | pmkb / peer | target (at 100k) | |"
echo "|---|---:|---:|---:|---:|---|---|"
echo "| full import, s (median of $RUNS runs: pmkb $IMPORT_RANGE, tantivy-cli $TIMPORT_RANGE) | $IMPORT_S | $TIMPORT_S | | $IMPORT_RATIO x | <= 1.5 x tantivy-cli | $(le "$IMPORT_RATIO" 1.5) |"
echo "| full import, CPU s (user + sys) and CPU use | $IMPORT_CPU ($IMPORT_PCT) | $TIMPORT_CPU ($TIMPORT_PCT) | | $(ratio "$IMPORT_CPU" "$TIMPORT_CPU") x | | |"
echo "| full import, posts/s | $POSTS_S | $TPOSTS_S | | | | |"
echo "| full import, MB/s | $MB_S | $TMB_S | | | | |"
echo "| import peak RSS, MB | $IMPORT_RSS | $TIMPORT_RSS | | $(ratio "$IMPORT_RSS" "$TIMPORT_RSS") x | <= 1500 MB | $(le "$IMPORT_RSS" 1500) |"
echo "| re-import, nothing changed, s | $REIMPORT_S | | | | <= 2 s | $(le "$REIMPORT_S" 2) |"
echo "| re-import after one edit, s | $EDIT_S | | | | <= 2 s | $(le "$EDIT_S" 2) |"
echo "| index size on disk, MB | $INDEX_MB | $TINDEX_MB | | $(ratio "$INDEX_MB" "$TINDEX_MB") x | | |"
echo "| query p50, ms (in-process, $NQ queries x 3 rounds, top 10 + snippets; median of $RUNS runs: $P50_RANGE) | $P50 | $TP50 | | $(ratio "$P50" "$TP50") x | <= 2 ms | $(le "$P50" 2) |"
echo "| query p95, ms | $P95 | $TP95 | | $(ratio "$P95" "$TP95") x | | |"
echo "| query p99, ms | $P99 | $TP99 | | $(ratio "$P99" "$TP99") x | <= 20 ms | $(le "$P99" 20) |"
echo "| one query \"$RGQ\", ms (in-process; rg: \`rg -i -c\`, $RG_FILES files match) | $SINGLE_MS | $TSINGLE_MS | $RG_MS | rg / pmkb = $RG_SPEEDUP x faster | >= 50 x faster than rg | $(ge "$RG_SPEEDUP" 50) |"
echo "| same query as a command, ms (\`pmkb search\` / \`tantivy search\`, process start + open) | $CLI_MS | $TCLI_MS | $RG_MS | rg / pmkb = $(ratio "$RG_MS" "$CLI_MS" 1) x | | |"
echo "| /api/search, requests/s, search cache off (\`serve --cache-size 0\`: every request searches) | $H_RPS | $T_RPS | | $HTTP_RATIO x | >= 2000 and >= tantivy-cli serve | $(http_verdict "$H_RPS" "$HTTP_RATIO") |"
echo "| /api/search latency p50 / p99, ms, cache off | $H_P50 / $H_P99 | $T_P50 / $T_P99 | | | | |"
echo "| /api/search errors (non-2xx + failed), cache off | $H_ERR of $((H_OK + H_ERR)) | $T_ERR | | | 0 | $( [ "$H_ERR" = 0 ] && echo met || echo '**missed**') |"
echo "| /api/search, requests/s, as served by default (the $NQ queries repeat, so after warm-up the search cache answers) | $C_RPS | $T_RPS | | $CACHED_RATIO x | >= 2000 and >= tantivy-cli serve | $(http_verdict "$C_RPS" "$CACHED_RATIO") |"
echo "| /api/search latency p50 / p99, ms, cache on | $C_P50 / $C_P99 | | | | | |"
echo "| /api/search errors, cache on | $C_ERR of $((C_OK + C_ERR)) | | | | 0 | $( [ "$C_ERR" = 0 ] && echo met || echo '**missed**') |"
echo "| serve RSS after load, MB (VmHWM / VmRSS; cache on) | $C_HWM / $C_RSS | $T_HWM / $T_RSS | | $(ratio "$C_HWM" "$T_HWM") x | <= 500 MB | $(le "$C_HWM" 500) |"
echo
echo "Slowest pmkb queries (max of 3 rounds of the median run, ms):"
echo
awk '$1=="slowest" {ms=$2; $1=""; $2=""; sub(/^  /,""); printf "- %s: %s\n", ms, $0}' "$Q"
echo
echo "Zero-hit queries: pmkb $(key "$Q" zero_hit_queries), bare tantivy $(key "$T" zero_hit_queries); query errors: pmkb $(key "$Q" errors), bare tantivy $(key "$T" errors)."
echo "Idle CPU just before each step (other processes share the machine): ${IDLE_NOTES[*]}."
echo "Raw outputs: bench/out/$(basename "$WORK")/ (*.time from /usr/bin/time -v, oha-*.json, bench_*.txt)."
} | tee "$RESULTS"
log "written $RESULTS"
