"""The n-gram probabilities behind compound splitting (CharSplit: Tuggener 2016, trained on a
German corpus; shipped by the `compound-split` package), kept in a SQLite file.

The package holds its 1.9 million probabilities as Python dicts: importing them costs every
process about 350 MB and two seconds. A worker needs only the few n-grams of the words it
splits, so they are copied once into a read-only SQLite file (built by `setup_portal`, or by the
first process that needs it, in a child process) and read from there, one query per word.
"""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings

PREFIX, INFIX, SUFFIX = 0, 1, 2
_local = threading.local()


def path() -> Path:
    return Path(settings.COMPOUND_NGRAMS_FILE)


def ensure() -> Path:
    """The file, built first if it is missing (in a child process: the dicts stay out of this
    one)."""
    target = path()
    if not target.exists():
        build_in_child = (
            "import sys, pathlib; from programmes.search.ngrams import build; "
            "build(pathlib.Path(sys.argv[1]))"
        )
        subprocess.run([sys.executable, "-c", build_in_child, str(target)], check=True)
    return target


def probabilities(grams: set[tuple[int, str]]) -> dict[tuple[int, str], float]:
    """The stored probability of each (kind, n-gram) that has one."""
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(f"file:{ensure()}?mode=ro", uri=True)
        _local.connection = connection
    texts = sorted({gram for _kind, gram in grams})
    marks = ",".join("?" * len(texts))
    rows = connection.execute(f"SELECT kind, gram, prob FROM ngram WHERE gram IN ({marks})", texts)
    return {(kind, gram): prob for kind, gram, prob in rows if (kind, gram) in grams}


def build(target: Path) -> None:
    """Copy the package's probabilities into a new file and move it into place at once."""
    from compound_split import de_ngram_probs

    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    with sqlite3.connect(temporary) as connection:
        connection.execute(
            "CREATE TABLE ngram (gram TEXT, kind INTEGER, prob REAL, PRIMARY KEY (gram, kind))"
            " WITHOUT ROWID"
        )
        for kind, table in (
            (PREFIX, de_ngram_probs.prefix),
            (INFIX, de_ngram_probs.infix),
            (SUFFIX, de_ngram_probs.suffix),
        ):
            connection.executemany(
                "INSERT INTO ngram VALUES (?, ?, ?)",
                ((gram, kind, prob) for gram, prob in table.items()),
            )
    connection.close()
    os.replace(temporary, target)
