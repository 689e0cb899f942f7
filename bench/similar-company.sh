#!/usr/bin/env bash
# How often `pmkb similar` answers with the same company's incidents: over
# every post of a public incident corpus (front matter `uuid:` and
# `company:`), the share of the top five similar incidents that come from
# the post's own company. By chance it is a few percent.
#
#   bench/similar-company.sh [CORPUS_DIR]   (default ../shared/corpus/icco)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CORPUS="${1:-$ROOT/../shared/corpus/icco}"
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 1; }
cargo build --release -q --manifest-path "$ROOT/Cargo.toml"
PMKB="$ROOT/target/release/pmkb"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/posts"
cp "$CORPUS"/*.md "$WORK/posts/"
"$PMKB" --posts "$WORK/posts" --index "$WORK/index" import > /dev/null 2>&1
python3 - "$PMKB" "$WORK" <<'PY'
import glob, json, re, subprocess, sys
pmkb, work = sys.argv[1], sys.argv[2]
company = {}
for path in glob.glob(work + "/posts/*.md"):
    text = open(path, encoding="utf-8").read()
    uuid = re.search(r"^uuid: (\S+)", text, re.M)
    owner = re.search(r"^company: (.+)$", text, re.M)
    if uuid:
        company[uuid.group(1)] = owner.group(1).strip() if owner else None
same = total = 0
for uuid, owner in company.items():
    out = subprocess.run([pmkb, "--posts", work + "/posts", "--index", work + "/index",
                          "similar", "--json", "-n", "5", uuid], capture_output=True, text=True)
    if out.returncode != 0:
        continue
    for hit in json.loads(out.stdout)["hits"]:
        total += 1
        same += bool(owner) and company.get(hit["id"]) == owner
print(f"same company in the top 5 similar: {same}/{total} = {same / max(total, 1):.1%}")
PY
