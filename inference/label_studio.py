"""Label Studio round trip for reviewing pre-labels: article-format articles -> Label Studio tasks (one per sentence,
with the model's labels as predictions) and the matching labeling config; Label Studio's JSON export -> the article
format again, validated, ready for `stancesum train --from MODEL --data reviewed.jsonl`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any
from xml.sax.saxutils import quoteattr

from stancesum.models.article import Article, ArticleFormatError
from stancesum.models.schema import STANCE_LABELS, LabelSchema

MAX_TARGETS = 4
OBJECT = "sentence"


def labeling_config(schema: LabelSchema | None = None, max_targets: int = MAX_TARGETS) -> str:
    """The Label Studio labeling config (XML): the sentence with its neighbours, a topic choice and a stance choice
    per target (target_1..target_N; a task shows the ones its article has)."""
    schema = schema or LabelSchema()
    topics = "\n".join(f"      <Choice value={quoteattr(t)}/>" for t in schema.topic_labels)
    stances = "\n".join(f"      <Choice value={quoteattr(s)}/>" for s in STANCE_LABELS)
    blocks = "\n".join(
        f"""  <Header value="$target_{k}"/>
  <Choices name="stance_{k}" toName="{OBJECT}" choice="single" showInline="true">
{stances}
  </Choices>"""
        for k in range(1, max_targets + 1)
    )
    return f"""<View>
  <Header value="$title"/>
  <Text name="before" value="$before"/>
  <Text name="{OBJECT}" value="$text"/>
  <Text name="after" value="$after"/>
  <Header value="Topic"/>
  <Choices name="topic" toName="{OBJECT}" choice="single" showInline="true">
{topics}
  </Choices>
{blocks}
</View>
"""


def _choice(name: str, value: str, score: float | None = None) -> dict:
    item: dict[str, Any] = {"from_name": name, "to_name": OBJECT, "type": "choices", "value": {"choices": [value]}}
    if score is not None:
        item["score"] = round(float(score), 4)
    return item


def to_tasks(articles: list[Article], model_version: str = "stancesum") -> list[dict]:
    """One task per sentence. A labeled sentence becomes a prediction (scores from the article's
    annotation["prelabel"]["confidence"] when `stancesum prelabel` wrote them)."""
    tasks = []
    for a in articles:
        if len(a.targets) > MAX_TARGETS:
            raise ValueError(
                f"article {a.id!r}: {len(a.targets)} targets; Label Studio tasks hold at most {MAX_TARGETS}"
            )
        meta = {k: v for k, v in a.to_dict().items() if k not in ("sentences", "summary", "annotation")}
        confidence = ((a.annotation or {}).get("prelabel") or {}).get("confidence") or []
        texts = [s.text for s in a.sentences]
        for i, s in enumerate(a.sentences):
            data = {
                "text": s.text,
                "title": a.title or "",
                "before": " ".join(texts[max(0, i - 2) : i]),
                "after": " ".join(texts[i + 1 : i + 3]),
                "article_id": a.id,
                "sentence_index": i,
                "start": s.start,
                "end": s.end,
                "article": meta,
                **{f"target_{k}": (a.targets[k - 1] if k <= len(a.targets) else "") for k in range(1, MAX_TARGETS + 1)},
            }
            task: dict[str, Any] = {"data": data}
            conf = confidence[i] if i < len(confidence) else {}
            result = [_choice("topic", s.topic, conf.get("topic"))] if s.topic else []
            result += [
                _choice(f"stance_{k}", s.stance[t], (conf.get("stance") or {}).get(t))
                for k, t in enumerate(a.targets, 1)
                if t in s.stance
            ]
            if result:
                scores = [r["score"] for r in result if "score" in r]
                task["predictions"] = [
                    {
                        "model_version": model_version,
                        "score": round(min(scores), 4) if scores else None,
                        "result": result,
                    }
                ]
            tasks.append(task)
    return tasks


def _labels(results: list[dict], targets: list[str], where: str) -> tuple[str | None, dict[str, str]]:
    topic, stance = None, {}
    for r in results:
        name, choices = r.get("from_name"), (r.get("value") or {}).get("choices") or []
        if r.get("type") != "choices" or len(choices) != 1:
            raise ArticleFormatError(f"result {name!r} must be one choice", path=where, field="annotations.result")
        if name == "topic":
            topic = choices[0]
        elif isinstance(name, str) and name.startswith("stance_"):
            k = int(name.split("_")[1])
            if not 1 <= k <= len(targets):
                raise ArticleFormatError(f"{name} has no target in this task", path=where, field="annotations.result")
            stance[targets[k - 1]] = choices[0]
    return topic, stance


def from_export(export: Any, where: str) -> tuple[list[Article], int]:
    """Articles rebuilt from a Label Studio JSON export of `to_tasks` tasks: each sentence takes its last submitted
    (not cancelled) annotation; an unannotated sentence stays unlabeled. Every article is validated (errors name the
    task). Returns (articles, unannotated sentence count)."""
    if not isinstance(export, list):
        raise ArticleFormatError("expected a Label Studio JSON export (a list of tasks)", path=where)
    by_article: dict[str, list[tuple[int, dict, str]]] = defaultdict(list)
    for n, task in enumerate(export):
        data = (task or {}).get("data") or {}
        task_where = f"{where}: task {task.get('id', n)}"
        if "article_id" not in data or "sentence_index" not in data or "article" not in data:
            raise ArticleFormatError("not a stancesum task (no article_id/sentence_index/article)", path=task_where)
        by_article[data["article_id"]].append((int(data["sentence_index"]), task, task_where))
    articles, unannotated = [], 0
    for article_id, tasks in by_article.items():
        tasks.sort(key=lambda x: x[0])
        record = dict(tasks[0][1]["data"]["article"])
        targets = list(record.get("targets") or [])
        sentences = []
        for _, task, task_where in tasks:
            data = task["data"]
            done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
            topic: str | None = None
            stance: dict[str, str] = {}
            if done:
                topic, stance = _labels(done[-1].get("result") or [], targets, task_where)
            else:
                unannotated += 1
            sentences.append(
                {"start": data["start"], "end": data["end"], "text": data["text"], "topic": topic, "stance": stance}
            )
        record["sentences"] = sentences
        record["annotation"] = {"by": "Label Studio review", "reviewed": True, "source": where}
        try:
            articles.append(Article.from_dict(record))
        except ArticleFormatError as err:
            raise ArticleFormatError(f"article {article_id!r}: {err.detail}", path=where) from None
    return articles, unannotated


def load_export(path) -> Any:
    from pathlib import Path

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ArticleFormatError(f"cannot be read ({err})", path=str(path)) from None
    except json.JSONDecodeError as err:
        raise ArticleFormatError(f"bad JSON: {err.msg} (line {err.lineno})", path=str(path)) from None
