"""The n-gram probabilities behind compound splitting (CharSplit: Tuggener 2016, trained on a
German corpus; shipped by the `compound-split` package), kept in a file that processes map into
memory.

The package holds its 1.9 million probabilities as Python dicts: importing them costs every
process about 350 MB and two seconds. So they are copied once into a sorted table (built by
`setup_portal`, or by the first process that needs it, in a child process) that every process
maps read-only and searches by bisection: the operating system keeps one copy for all.

Layout: a header (magic, count N), N + 1 offsets (uint32) into the keys, N probabilities
(float64), then the keys ("<kind><n-gram>" in UTF-8) one after another in sorted order.
"""

import mmap
import os
import subprocess
import sys
import threading
from array import array
from pathlib import Path

from django.conf import settings

PREFIX, INFIX, SUFFIX = 0, 1, 2
MAGIC = b"KKNGRAM1"
_HEADER = len(MAGIC) + 8
_lock = threading.Lock()
_table = None


class Table:
    def __init__(self, file: Path):
        with open(file, "rb") as handle:
            self.map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if self.map[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{file} is no n-gram table")
        self.count = int.from_bytes(self.map[len(MAGIC) : _HEADER], "little")
        view = memoryview(self.map)
        offsets_end = _HEADER + 4 * (self.count + 1)
        self.offsets = view[_HEADER:offsets_end].cast("I")
        self.probabilities = view[offsets_end : offsets_end + 8 * self.count].cast("d")
        self.keys = offsets_end + 8 * self.count

    def get(self, kind: int, gram: str, default: float) -> float:
        wanted = f"{kind}{gram}".encode()
        low, high = 0, self.count
        while low < high:  # the first key not below the wanted one
            middle = (low + high) // 2
            if self._key(middle) < wanted:
                low = middle + 1
            else:
                high = middle
        if low < self.count and self._key(low) == wanted:
            return self.probabilities[low]
        return default

    def _key(self, index: int) -> bytes:
        return self.map[self.keys + self.offsets[index] : self.keys + self.offsets[index + 1]]


def table() -> Table:
    """This process's mapping of the table, built first if the file is missing (in a child
    process: the package's dicts stay out of this one)."""
    global _table
    with _lock:
        if _table is None:
            file = Path(settings.COMPOUND_NGRAMS_FILE)
            if not file.exists():
                code = "import sys, pathlib; from programmes.search.ngrams import build; " \
                    "build(pathlib.Path(sys.argv[1]))"  # fmt: skip
                subprocess.run([sys.executable, "-c", code, str(file)], check=True)
            _table = Table(file)
        return _table


def build(target: Path) -> None:
    """Write the package's probabilities as a table and move it into place at once."""
    from compound_split import de_ngram_probs

    entries = sorted(
        (f"{kind}{gram}".encode(), probability)
        for kind, grams in (
            (PREFIX, de_ngram_probs.prefix),
            (INFIX, de_ngram_probs.infix),
            (SUFFIX, de_ngram_probs.suffix),
        )
        for gram, probability in grams.items()
    )
    offsets, position = array("I", [0]), 0
    for key, _probability in entries:
        position += len(key)
        offsets.append(position)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    with open(temporary, "wb") as out:
        out.write(MAGIC + len(entries).to_bytes(8, "little"))
        out.write(offsets.tobytes())
        out.write(array("d", (probability for _key, probability in entries)).tobytes())
        for key, _probability in entries:
            out.write(key)
    os.replace(temporary, target)
