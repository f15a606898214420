"""Synthetic programmes for load tests: `manage.py generate_catalogue --programmes 100000`.

- vocabulary: what is drawn from. The texts are the curated catalogue's own words (fixture
  sentences with nouns swapped for other nouns of the same texts, so search terms hit about as
  often as in real German programme texts); topics, target groups, funding types, funders,
  principles and the municipalities taking part are the ones in the database.
- generator: programme and child rows from one `random.Random(seed)`, with dates relative to
  `today` and kinds, levels, statuses, amounts and windows in the mix of a large federal
  catalogue such as the Förderdatenbank. Same seed, day and vocabulary: same catalogue.
- bulk: writes them with COPY in one transaction (100,000 programmes and ~900,000 child rows
  in about 40 s), marked `is_synthetic`; `remove_synthetic()` deletes them again.
"""

from programmes.synthetic.bulk import GenerationReport, generate_catalogue, remove_synthetic
from programmes.synthetic.generator import Generator
from programmes.synthetic.vocabulary import Vocabulary

__all__ = ["GenerationReport", "Generator", "Vocabulary", "generate_catalogue", "remove_synthetic"]
