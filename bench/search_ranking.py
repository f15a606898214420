"""How the list's ranking compares with exact ranking, for the realistic searches of
tests/test_search_queries.py on the benchmark's catalogue.

The list ranks matches by `rank_vector` (title, short name, summary, related terms), which is
read without decompression; exact ranking is `ts_rank` over the full stored vector of every
match (description included). For each search: how many of the list's top five are in the exact
top five, and whether the first is the same.
"""

from django.contrib.postgres.search import SearchRank
from django.db.models import F


def compare() -> dict:
    from programmes.models import Programme
    from programmes.search import plan_search
    from tests.test_search_queries import QUERIES

    rows = []
    for text, _wanted in QUERIES:
        query = plan_search(text).query
        found = Programme.objects.published().search(text)
        listed = list(found.order_by("-rank", "sort_title", "pk").values_list("pk", flat=True)[:5])
        exact = found.annotate(exact=SearchRank(F("search_vector"), query))
        exact_top = list(
            exact.order_by("-exact", "sort_title", "pk").values_list("pk", flat=True)[:5]
        )
        rows.append(
            {
                "query": text,
                "shared_of_five": len(set(listed) & set(exact_top)),
                "same_first": bool(listed) and listed[:1] == exact_top[:1],
            }
        )
    return {
        "searches": len(rows),
        "mean_shared_of_five": round(sum(r["shared_of_five"] for r in rows) / len(rows), 2),
        "same_first": sum(r["same_first"] for r in rows),
        "all_five_shared": sum(r["shared_of_five"] == 5 for r in rows),
        "rows": rows,
    }


def print_comparison(result: dict) -> None:
    print(
        f"ranking vs exact ts_rank, {result['searches']} searches: top five share "
        f"{result['mean_shared_of_five']} of 5 on average, all five in "
        f"{result['all_five_shared']}, same first in {result['same_first']}"
    )
