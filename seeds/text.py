"""Source-document text: loading, whitespace normalisation, de-duplication, quote search.

The five documents in ``seeds/docs/`` stay byte-for-byte as received.  Document 000
arrived with its sentences shuffled and repeated; :func:`dedupe_sentences` derives a
reading copy beside it (``*.dedup.txt``) that keeps each sentence once, in order of
first appearance.  Quotes are checked against the whitespace-normalised original,
so a quote is valid whether or not it crosses a line break of the source.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent / "docs"

# Whitespace of every kind the documents use: ASCII, ideographic space (U+3000), NBSP.
_WS = re.compile(r"[\s\u3000\u00a0]+")
# A sentence ends at a Chinese full stop, exclamation or question mark, or a line break.
_SENTENCE_END = re.compile(r"(?<=[。！？])|\n")


def normalise(text: str) -> str:
    """Remove all whitespace so quotes match across line breaks and padding.

    Chinese text carries no meaning in whitespace; the documents pad numbers with
    spaces inconsistently ("到 2027 年" vs "到2027年"), so both sides of a quote
    check drop it entirely.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        ``text`` with every whitespace character removed.
    """
    return _WS.sub("", text)


def doc_path(doc_id: str) -> Path:
    """Return the path of the original source document ``doc_id`` (e.g. ``"000"``).

    Raises
    ------
    FileNotFoundError
        If no ``seeds/docs/<doc_id>_*.txt`` file exists.
    """
    matches = sorted(p for p in DOCS_DIR.glob(f"{doc_id}_*.txt") if not p.name.endswith(".dedup.txt"))
    if len(matches) != 1:
        raise FileNotFoundError(
            f"expected exactly one source file seeds/docs/{doc_id}_*.txt, found {len(matches)}; "
            "document ids are the three-digit prefixes of the files in seeds/docs/"
        )
    return matches[0]


@lru_cache(maxsize=None)
def doc_text(doc_id: str) -> str:
    """Return the original text of document ``doc_id`` as received (UTF-8)."""
    return doc_path(doc_id).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def normalised_doc(doc_id: str) -> str:
    """Return the whitespace-normalised text of document ``doc_id``."""
    return normalise(doc_text(doc_id))


def dedupe_sentences(text: str) -> str:
    """Keep each sentence once, in order of first appearance, one per line.

    Parameters
    ----------
    text : str
        Source text whose sentences may repeat.

    Returns
    -------
    str
        One sentence per line, ending with a newline.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for part in _SENTENCE_END.split(text):
        sentence = part.strip()
        key = normalise(sentence)
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return "\n".join(kept) + "\n"


def dedup_path(doc_id: str) -> Path:
    """Return the path of the derived de-duplicated reading copy of ``doc_id``."""
    original = doc_path(doc_id)
    return original.with_name(original.stem + ".dedup.txt")


def quote_in_doc(quote: str, doc_id: str) -> bool:
    """Tell whether ``quote`` occurs verbatim (whitespace aside) in document ``doc_id``."""
    needle = normalise(quote)
    return bool(needle) and needle in normalised_doc(doc_id)


def write_dedup(doc_id: str = "000") -> Path:
    """(Re)write the de-duplicated reading copy of ``doc_id`` and return its path."""
    path = dedup_path(doc_id)
    path.write_text(dedupe_sentences(doc_text(doc_id)), encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m seeds.text [DOC_ID] rewrites the reading copy
    print(write_dedup(sys.argv[1] if len(sys.argv) > 1 else "000"))
