"""Resolution throughput on a synthetic but realistic mention stream.

The stream mixes what a county paper's mentions look like after recognition: gazetteer names and
their aliases (about 40 %), names the gazetteer does not hold (companies, villages, schools: about
25 %, all NIL after a fuzzy scan) and people (about 35 %, surname + one or two given-name
characters, with titles from the paper's role vocabulary).  Surfaces repeat with a Zipf-like
skew, as they do across a year of issues, so the resolver's cache matters as it does in a run.
The resolver starts cold: every distinct surface pays its full lookup (and fuzzy scan) once.

    .venv/bin/python bench/resolve_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script from the repo root or bench/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.gazetteers.gazetteer import load_gazetteer
from pipeline.records import Mention
from pipeline.resolve.resolver import Resolver
from pipeline.settings import DEFAULT_GAZETTEER

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫斌宇浩凯健俊帆帅旭宁龙林欣佳雨婷晨昊玥轩辰睿晓燕雪琳倩颖洁海波振东金凤志国建中文新春雷峰"
)
ROLES = [
    "",
    "",
    "",
    "市委书记",
    "市委副书记",
    "市长",
    "副市长",
    "市领导",
    "记者",
    "见习记者",
    "通讯员",
    "摄影",
    "镇党委书记",
    "镇长",
    "局长",
    "董事长",
    "总经理",
    "村民",
    "市民",
    "校长",
    "医生",
    "市人大常委会主任",
    "市政协主席",
]
NIL_HEADS = ["平湖", "嘉兴", "浙江", "上海", "当湖", "新埭", "乍浦", ""]
NIL_TRADES = [
    "科技有限公司",
    "机械有限公司",
    "服装有限公司",
    "光电科技有限公司",
    "食品有限公司",
    "村",
    "社区",
    "小学",
    "中学",
    "幼儿园",
    "农业合作社",
    "家庭农场",
    "文化礼堂",
    "商会",
    "协会",
    "工作室",
    "合作社",
]


def _zipf_pick(rng: random.Random, items: list[str], k: int, s: float = 1.0) -> list[str]:
    weights = [1.0 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights, k=k)


def build_stream(n_mentions: int, seed: int = 7) -> list[Mention]:
    """The synthetic mention list (deterministic for a seed)."""
    rng = random.Random(seed)
    gaz = load_gazetteer(DEFAULT_GAZETTEER)
    known: list[tuple[str, str]] = []
    for surface, ms in gaz.surfaces().items():
        e = ms[0].entry
        # Local names dominate a county paper; the far-away divisions still appear now and then.
        if gaz.locality(e) <= 3 or e.kind in ("province", "city"):
            known.append((surface, e.type))
    rng.shuffle(known)
    far = [(s, ms[0].entry.type) for s, ms in gaz.surfaces().items() if gaz.locality(ms[0].entry) > 3]
    known += rng.sample(far, min(2000, len(far)))

    nil_vocab = sorted(
        {
            rng.choice(NIL_HEADS)
            + "".join(rng.choices(GIVEN, k=rng.choice((2, 2, 3))))
            + rng.choice(NIL_TRADES)
            for _ in range(4000)
        }
    )
    rng.shuffle(nil_vocab)
    people = sorted(
        {rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2)))) for _ in range(20000)}
    )
    rng.shuffle(people)

    n_known = int(n_mentions * 0.40)
    n_nil = int(n_mentions * 0.25)
    n_person = n_mentions - n_known - n_nil
    surfaces: list[tuple[str, str, str]] = []
    known_idx = _zipf_pick(rng, [str(i) for i in range(len(known))], n_known)
    surfaces += [(known[int(i)][1], known[int(i)][0], "") for i in known_idx]
    surfaces += [("ORG", s, "") for s in _zipf_pick(rng, nil_vocab, n_nil, 0.8)]
    surfaces += [("PERSON", s, rng.choice(ROLES)) for s in _zipf_pick(rng, people, n_person, 0.8)]
    rng.shuffle(surfaces)
    return [
        Mention(
            article_id=f"a{i // 40}",
            type=t,
            surface=s,
            start=0,
            end=len(s),
            source_start=0,
            source_end=len(s),
            role=r,
        )
        for i, (t, s, r) in enumerate(surfaces)
    ]


def run(n_mentions: int = 200_000) -> dict[str, float | int | dict[str, int]]:
    """Time ``Resolver.resolve_many`` over ``n_mentions`` synthetic mentions, cold cache."""
    t0 = time.perf_counter()
    gaz = load_gazetteer(DEFAULT_GAZETTEER)
    resolver = Resolver(gaz)
    build_s = time.perf_counter() - t0
    mentions = build_stream(n_mentions)
    distinct = len({(m.type, m.surface, m.role) for m in mentions})
    t0 = time.perf_counter()
    resolver.resolve_many(mentions)
    seconds = time.perf_counter() - t0
    methods = Counter(m.link_method for m in mentions)
    return {
        "mentions": len(mentions),
        "seconds": round(seconds, 4),
        "mentions_per_s": round(len(mentions) / seconds) if seconds else 0,
        "distinct_surfaces": distinct,
        "resolver_build_seconds": round(build_s, 4),
        "methods": dict(methods),
    }


if __name__ == "__main__":
    print(run())
