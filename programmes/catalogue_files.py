"""The curated catalogue's files in fixtures/: for each kind a main file (``programmes.json``)
followed by its companions in name order (``programmes-kommunen-innovativ.json``), so a family
of entries can live in files of its own."""

import json
from pathlib import Path

from django.conf import settings

KINDS = ("municipalities", "taxonomy", "principles", "programmes", "sources")  # load order


def read_fixtures(directory: Path | None = None, kinds=KINDS) -> dict[str, list[dict]]:
    """Kind → its objects: the main file's, then those of its companion files."""
    directory = Path(directory or settings.BASE_DIR / "fixtures")
    fixtures = {}
    for kind in kinds:
        paths = [directory / f"{kind}.json", *sorted(directory.glob(f"{kind}-*.json"))]
        fixtures[kind] = [obj for path in paths for obj in json.loads(path.read_text("utf-8"))]
    return fixtures
