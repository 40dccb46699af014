"""Made-up pages and archive layouts for the re-run, identity and resume tests.

Every page names its own people, so rows of two sources can be told apart; the text carries the
year (``2024年``) and a dateline, so a date is found whatever the file is called.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline.settings import backends

# The model-free ruler alone where this checkout has it, else LAC + ruler: the runner is under
# test here, not recognition, and the model costs seconds per run.
FAST_BACKEND = "gazetteer" if "gazetteer" in backends() else "lac-gazetteer"

GIVEN = "严志刚 柏文涛 顾建华 沈国平 陆晓东 朱丽萍 钱卫东 孙建明 周海燕 吴永林 郑国强 冯小红".split()


def page(date: dt.date, n: int, heading: str = "") -> str:
    """One article page of ``date``; ``n`` picks the town secretary's name and the topic."""
    name = GIVEN[n % len(GIVEN)]
    head = f"{heading}\n\n" if heading else ""
    return (
        f"{head}## 新仓镇召开第{n + 1}次农业生产推进会\n\n■记者 柏文涛\n\n"
        f"本报讯 {date.month}月{date.day}日，新仓镇召开农业生产推进会。镇党委书记{name}出席会议并讲话，"
        f"要求各村抓好{date.year}年春耕生产。\n会上，市农业农村局相关负责人介绍了今年的补贴政策。\n"
    )


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def frames(out: Path) -> dict[str, pd.DataFrame]:
    """The tables of ``out`` in a canonical row order, for comparing two directories."""
    import pipeline

    t = pipeline.load(str(out))
    keys = {"articles": ["article_id"], "mentions": ["mention_id"], "people": ["article_id", "name"],
            "entities": ["entity_id"]}
    got = {}
    for name, cols in keys.items():
        df = t[name]
        df = df.astype({c: "object" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
        got[name] = df.sort_values(cols, kind="stable").reset_index(drop=True)
    return got


def assert_same_tables(a: Path, b: Path) -> None:
    fa, fb = frames(a), frames(b)
    for name in fa:
        pd.testing.assert_frame_equal(fa[name], fb[name], check_like=True, obj=name)
