#!/usr/bin/env bash
# Instructions executed by pmkb's two hot paths, counted by valgrind's
# callgrind. Unlike times, they do not move with the load of a shared VM,
# so two builds can be compared with one run each: the figure to quote
# when a change is said to make a search or an import cheaper.
#
#   bench/instructions.sh [--posts N] [--seed S] [--queries Q] [--extract-posts E]
#
# On the corpus of `bench/run.sh --posts N --seed S` (bench/out/work-N-sS/,
# generated if missing; default 10,000 posts, seed 42):
#   search:  the first Q queries of the bench mix (default 100), each run
#            twice (a warm-up round and a measured one) by bench_query on
#            the corpus's index (imported if missing), top 10 + snippets;
#   extract: parse and extract of the posts of the first E files (default
#            2,500) by bench_extract (reading them included), with the
#            digest of their records (the same digest means the same
#            records).
# Prints instructions per search and per post, and appends them with the
# commit to bench/out/instructions-N.txt. Installs valgrind (Debian) on
# first use. At 100,000 posts, a minute or two past the build.
set -euo pipefail

POSTS=10000
SEED=42
QUERIES=100
EXTRACT_POSTS=2500
while [ $# -gt 0 ]; do
    case "$1" in
        --posts) POSTS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --queries) QUERIES="$2"; shift 2 ;;
        --extract-posts) EXTRACT_POSTS="$2"; shift 2 ;;
        -h|--help) awk 'NR>1 && !/^#/ {exit} NR>1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "instructions.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$POSTS$SEED$QUERIES$EXTRACT_POSTS" in *[!0-9]*) echo "instructions.sh: numbers only" >&2; exit 2 ;; esac
[ "$QUERIES" -gt 0 ] && [ "$EXTRACT_POSTS" -gt 0 ] || { echo "instructions.sh: --queries and --extract-posts must be above 0" >&2; exit 2; }

cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=bench/corpus.sh
. "$ROOT/bench/corpus.sh"
WORK=$ROOT/bench/out/work-$POSTS-s$SEED
LOG=$ROOT/bench/out/instructions-$POSTS.txt
mkdir -p "$WORK"
log() { echo "[instructions $(date +%H:%M:%S)] $*" >&2; }

if ! command -v valgrind >/dev/null; then
    log "installing valgrind"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

log "building pmkb and the bench examples (release)"
cargo build --release -q --bin pmkb --example gen_corpus --example bench_query --example bench_extract
EX=$ROOT/target/release/examples
PMKB=$ROOT/target/release/pmkb

if [ ! -f "$WORK/corpus.complete" ]; then
    log "generating $POSTS posts (seed $SEED), as bench/run.sh does"
    generate_corpus "$WORK" "$POSTS" "$SEED" "$EX" "$ROOT"
fi
if [ ! -d "$WORK/pmkb-index" ]; then
    log "importing the corpus"
    "$PMKB" --posts "$WORK/posts" --index "$WORK/pmkb-index" import >/dev/null
fi

# callgrind's total for a command: "==pid== Collected : N".
collected() { awk '/Collected :/ {print $NF}' "$1"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

head -n "$QUERIES" "$WORK/queries.txt" >"$TMP/queries.txt"
NQ=$(grep -c . "$TMP/queries.txt")
log "search: $NQ queries x 2 rounds under callgrind"
valgrind --tool=callgrind --callgrind-out-file="$TMP/search.out" \
    "$EX/bench_query" --index "$WORK/pmkb-index" --queries "$TMP/queries.txt" --rounds 1 \
    >"$TMP/search.txt" 2>"$TMP/search.err"
SEARCH=$(collected "$TMP/search.err")
HITS=$(awk '$1 == "mean_total_hits" {print $2}' "$TMP/search.txt")

# The first files in the corpus's order, copied into a folder of their own
# (a file may hold several posts: bench_extract counts them).
mkdir -p "$TMP/posts"
find "$WORK/posts" -type f | sort >"$TMP/files.txt"
head -n "$EXTRACT_POSTS" "$TMP/files.txt" | while read -r post; do
    cp "$post" "$TMP/posts/$(basename "$(dirname "$post")")-$(basename "$post")"
done
log "extract: $(find "$TMP/posts" -type f | wc -l) files under callgrind"
valgrind --tool=callgrind --callgrind-out-file="$TMP/extract.out" \
    "$EX/bench_extract" "$TMP/posts" 1 >"$TMP/extract.txt" 2>"$TMP/extract.err"
EXTRACT=$(collected "$TMP/extract.err")
NP=$(awk '$1 == "posts" {print $2}' "$TMP/extract.txt")
DIGEST=$(awk '$1 == "digest" {print $2}' "$TMP/extract.txt")

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+changes" || true)
LINE=$(printf '%s %s%s posts=%s search: %s queries x 2, %.2f M instructions a search (mean %s matches); extract: %s posts, %.0f K instructions a post (digest %s)' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$COMMIT" "$DIRTY" "$POSTS" "$NQ" "$(echo "$SEARCH / (2 * $NQ) / 1000000" | bc -l)" \
    "$HITS" "$NP" "$(echo "$EXTRACT / $NP / 1000" | bc -l)" "$DIGEST")
echo "$LINE" | tee -a "$LOG"
