# Sourced by bench/run.sh and bench/instructions.sh: the one way the bench
# corpus is made, so both measure the same posts.
#
# generate_corpus WORK POSTS SEED EXAMPLES_DIR ROOT: writes WORK/posts,
# WORK/queries.txt and WORK/docs.jsonl with gen_corpus, then
# WORK/corpus.complete holding how many milliseconds that took (run.sh
# reports it). Anything half made by an interrupted run is removed first.
generate_corpus() {
    local work=$1 posts=$2 seed=$3 ex=$4 root=$5 start
    rm -rf "$work/posts" "$work/queries.txt" "$work/docs.jsonl" "$work/corpus.complete"
    start=$(date +%s%N)
    "$ex/gen_corpus" --posts "$posts" --seed "$seed" --out "$work/posts" --jsonl "$work/docs.jsonl" \
        --queries "$work/queries.txt" --source "$root/posts" --source "$root/../shared/corpus/icco" 2>"$work/gen.log"
    echo "scale=3; ($(date +%s%N) - $start) / 1000000" | bc >"$work/corpus.complete"
}
