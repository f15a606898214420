"""The programme search: how typed text becomes a query (text, compounds, synonyms, suggest,
plan) and what the index holds beyond a programme's own words (index)."""

from programmes.search.plan import SearchPlan, plan_search, search_matches

__all__ = ["SearchPlan", "plan_search", "search_matches"]
