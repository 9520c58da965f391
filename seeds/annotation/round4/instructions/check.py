"""Validate an annotation file against its prepared batch (standalone: no project imports).

    python3 /work/annotation/check.py LABELS.jsonl BATCH.jsonl [--partial]

LABELS.jsonl: one JSON object per line, either
  {"id", "targets": [2-4 str], "summary": str, "labels": [{"i", "topic", "stance": {target: label}}], "notes": str?}
or a dropped text:
  {"id", "drop": "reason, quoting the broken place"}
--partial: do not complain about batch articles that have no line yet.
"""

import json, re, sys

TOPICS = {
    "military_defense",
    "diplomacy_foreign_affairs",
    "domestic_politics",
    "economy_business",
    "law_justice_crime",
    "health_medicine",
    "society_rights",
    "environment_energy",
    "science_technology",
    "culture_sports",
    "disasters_accidents",
    "other",
}
STANCES = {"favor", "against", "none"}


def words(s):
    return re.findall(r"[a-z0-9]+", s.lower())


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    partial = "--partial" in sys.argv
    fixed = "--fixed-targets" in sys.argv  # blind second pass: the batch gives the targets; no summary asked
    labels_path, batch_path = args
    batch = {}
    for line in open(batch_path, encoding="utf-8"):
        if line.strip():
            a = json.loads(line)
            batch[a["id"]] = a
    errors, seen, stats = [], set(), {"articles": 0, "dropped": 0, "sentences": 0, "pairs": 0, "sided": 0}
    for n, line in enumerate(open(labels_path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        where = f"{labels_path}:{n}"
        try:
            ann = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: bad JSON: {e}")
            continue
        aid = ann.get("id")
        if aid not in batch:
            errors.append(f"{where}: id {aid!r} is not in {batch_path}")
            continue
        if aid in seen:
            errors.append(f"{where}: id {aid!r} appears twice")
            continue
        seen.add(aid)
        if "drop" in ann:
            if not isinstance(ann["drop"], str) or len(ann["drop"]) < 10:
                errors.append(f"{where}: 'drop' must give the reason (quote the broken place)")
            stats["dropped"] += 1
            continue
        art = batch[aid]
        targets = ann.get("targets")
        if (
            not isinstance(targets, list)
            or not 2 <= len(targets) <= 4
            or len(set(targets)) != len(targets)
            or not all(isinstance(t, str) and t.strip() for t in targets)
        ):
            errors.append(f"{where}: 'targets' must be 2-4 distinct non-empty strings")
            continue
        if fixed and targets != batch[aid].get("targets"):
            errors.append(f"{where}: 'targets' must be exactly the batch's targets {batch[aid].get('targets')}")
            continue
        summary = ann.get("summary")
        if fixed and summary is None:
            pass
        elif not isinstance(summary, str) or not summary.strip():
            errors.append(f"{where}: 'summary' missing")
        else:
            nw = len(summary.split())
            ns = len(re.findall(r"[.!?](?:\s|$)", summary.strip()))
            if nw > 75:
                errors.append(f"{where}: summary has {nw} words (at most 75)")
            if not 2 <= ns <= 4:
                errors.append(f"{where}: summary has {ns} sentences (2-4)")
            aw = words(art["text"])
            grams = {tuple(aw[i : i + 9]) for i in range(len(aw) - 8)}
            sw = words(summary)
            copied = [" ".join(sw[i : i + 9]) for i in range(len(sw) - 8) if tuple(sw[i : i + 9]) in grams]
            if copied:
                errors.append(f"{where}: summary copies the article ('{copied[0]}'): write it in your own words")
        labs = ann.get("labels")
        sents = art["sentences"]
        if not isinstance(labs, list) or len(labs) != len(sents):
            errors.append(f"{where}: {len(labs) if isinstance(labs, list) else 0} labels for {len(sents)} sentences")
            continue
        for k, lab in enumerate(labs):
            if lab.get("i") != k:
                errors.append(f"{where}: labels[{k}] has i={lab.get('i')}")
                break
            if lab.get("topic") not in TOPICS:
                errors.append(f"{where}: labels[{k}].topic {lab.get('topic')!r} is not a schema label")
            st = lab.get("stance")
            if not isinstance(st, dict) or set(st) != set(targets):
                errors.append(f"{where}: labels[{k}].stance must have exactly the targets as keys")
                continue
            bad = [v for v in st.values() if v not in STANCES]
            if bad:
                errors.append(f"{where}: labels[{k}].stance has label {bad[0]!r}")
            stats["pairs"] += len(st)
            stats["sided"] += sum(v != "none" for v in st.values())
        stats["articles"] += 1
        stats["sentences"] += len(sents)
    missing = [i for i in batch if i not in seen]
    if missing and not partial:
        errors.append(f"{len(missing)} batch articles have no line yet, first: {missing[0]}")
    for e in errors:
        print(e)
    share = stats["sided"] / stats["pairs"] if stats["pairs"] else 0
    print(
        f"{'FAILED' if errors else 'OK'}: {stats['articles']} labeled, {stats['dropped']} dropped, "
        f"{stats['sentences']} sentences, {stats['pairs']} pairs, favor/against share {share:.2f}"
    )
    sys.exit(1 if errors else 0)


main()
