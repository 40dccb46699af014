"""Role families: the walk of life a person's title belongs to (press, party, government …).

Why a module of its own: a person id is the name plus the identity family of the title
(:func:`pipeline.resolve.resolver.person_id`), and :mod:`pipeline.resolve.people` groups untitled
repeats by the same families; the keyword lists are people's facts, not linking, and grow with
every new title the paper prints.  :mod:`pipeline.resolve.resolver` re-exports every name here.
"""

from __future__ import annotations

from pipeline.gazetteers.gazetteer import normalise

__all__ = ["PUBLIC_FAMILIES", "identity_family", "role_family"]

# Role families, see role_family().  Keywords are searched in the title; the family whose keyword
# occurs first wins, because a compound title lists the senior post first (镇党委书记、人大主席).
_HEAD_OF_GOVERNMENT = ("市长", "县长", "区长", "镇长", "乡长", "省长")
_ROLE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "press",
        ("记者", "通讯员", "摄影", "编辑", "实习生", "文/图", "图/文", "文图", "美编", "校对", "主播", "摄"),
    ),
    ("congress", ("人大",)),
    ("cppcc", ("政协",)),
    (
        "party",
        (
            "书记",
            "党委",
            "党工委",
            "党组",
            "常委",
            "市委",
            "县委",
            "区委",
            "组织部",
            "宣传部",
            "统战部",
            "纪委",
            "监委",
            "政法委",
            "党支部",
        ),
    ),
    ("judicial", ("法院", "检察", "法官", "庭长")),
    (
        "government",
        (
            "局长",
            "主任",
            "秘书长",
            "政府",
            "管委会",
            "处长",
            "科长",
            "所长",
            "站长",
            "队长",
            "部长",
            "委员",
            "干部",
            "公务员",
            "民警",
            "警官",
        ),
    ),
    (
        "business",
        ("董事长", "总经理", "经理", "厂长", "行长", "总裁", "创始人", "负责人", "董事", "老板", "店长", "企业"),
    ),
    ("education", ("校长", "教师", "老师", "班主任", "教授", "学生")),
    ("medical", ("医生", "护士", "医师")),
    ("leader", ("领导",)),
)


def role_family(role: str) -> str:
    """Group a title into a family: press, party, government, congress, cppcc, judicial, business,
    education, medical, leader (市领导, the paper's collective term), or none (citizens, unknown).

    The head of a government (市长, 副市长, 镇长 …) is ``government`` even when the title also
    lists the party post (市委副书记、市长), because the paper alternates those two forms for one
    person and the short form is the government one.
    """
    r = normalise(role)
    if not r:
        return "none"
    if any(h in r for h in _HEAD_OF_GOVERNMENT) and "人大" not in r and "政协" not in r:
        return "government"
    best, best_pos = "none", len(r) + 1
    for family, words in _ROLE_KEYWORDS:
        for w in words:
            i = r.find(w)
            if i != -1 and i < best_pos:
                best, best_pos = family, i
    return best


# Families of public office: one identity family, so a title's form does not split a person.
PUBLIC_FAMILIES = frozenset({"party", "government", "congress", "cppcc", "judicial", "leader"})


def identity_family(family: str) -> str:
    """The family that goes into a person id: ``official`` for every public-office family."""
    return "official" if family in PUBLIC_FAMILIES else family
