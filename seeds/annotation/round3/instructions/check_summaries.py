"""Check a summary file against its batch: python3 check_summaries.py summaries.jsonl batch.jsonl [--partial]

Each line: {"id": ..., "summary": "..."} or {"id": ..., "drop": "reason"} (a reviewed file also has "review").
A summary has 2-4 sentences, at most 75 words, and no run of 9 words copied from its article. Prints OK or the
errors (file:line: problem) and exits 1.
"""

import json
import re
import sys


def words(s):
    return re.findall(r"[a-z0-9]+", s.lower())


def main():
    path, batch_path = sys.argv[1], sys.argv[2]
    partial = "--partial" in sys.argv
    batch = {}
    with open(batch_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            batch[record["id"]] = record
    errors, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            where = f"{path}:{n}"
            if not line.strip():
                continue
            try:
                ann = json.loads(line)
            except json.JSONDecodeError as err:
                errors.append(f"{where}: not JSON ({err})")
                continue
            aid = ann.get("id")
            if aid not in batch:
                errors.append(f"{where}: id {aid!r} is not in the batch")
                continue
            if aid in seen:
                errors.append(f"{where}: id {aid!r} appears twice")
            seen.add(aid)
            if "drop" in ann:
                if not str(ann["drop"]).strip():
                    errors.append(f"{where}: 'drop' needs a reason")
                continue
            summary = ann.get("summary")
            if not isinstance(summary, str) or not summary.strip():
                errors.append(f"{where}: 'summary' missing")
                continue
            nw = len(summary.split())
            ns = len(re.findall(r"[.!?](?:\s|$)", summary.strip()))
            if nw > 75:
                errors.append(f"{where}: summary has {nw} words (at most 75)")
            if not 2 <= ns <= 4:
                errors.append(f"{where}: summary has {ns} sentences (2-4)")
            aw = words(batch[aid]["text"])
            grams = {tuple(aw[i : i + 9]) for i in range(len(aw) - 8)}
            sw = words(summary)
            copied = [" ".join(sw[i : i + 9]) for i in range(len(sw) - 8) if tuple(sw[i : i + 9]) in grams]
            if copied:
                errors.append(f"{where}: summary copies the article ('{copied[0]}'): write it in your own words")
    if not partial:
        missing = sorted(set(batch) - seen)
        if missing:
            errors.append(f"{path}: {len(missing)} articles missing, e.g. {missing[0]}")
    for e in errors:
        print(e)
    print("OK" if not errors else f"{len(errors)} errors")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
