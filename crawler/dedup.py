"""Near-duplicate detection for syndicated copy: MinHash over folded word shingles, LSH to find
candidates (datasketch), and the small helpers the dedup and store pipelines share.

Agency copy (وكالة الأنباء, رويترز ...) reaches several outlets with a new headline, a dateline,
a trimmed paragraph or an added sentence; the folded body's word 3-shingles still overlap far
above what two different reports on the same event share, which is what the threshold separates.
"""

from __future__ import annotations

import base64
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1 as _sha1
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from crawler.arabic import fold

DEFAULT_NUM_PERM = 128
DEFAULT_THRESHOLD = 0.4  # estimated Jaccard of shingle sets; chosen on tests/dedup_pairs.py (see docs/storage.md)
DEFAULT_SHINGLE = 3
DEFAULT_MIN_WORDS = 25  # shorter bodies share too few shingles for an estimate to mean anything
SEED = 1  # fixed, so signatures stored by one run compare with signatures made by the next
SCHEME = "affine32"  # datasketch's hashing scheme, pinned for the same reason (32-bit values)

_WORD = re.compile(r"\w+")


def _shingle_set(words: list[str], size: int) -> set[str]:
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def shingles(text: str | None, size: int = DEFAULT_SHINGLE) -> set[str]:
    """Word n-grams of the folded text (folding makes hamza/alef/ya variants one token)."""
    return _shingle_set(_WORD.findall(fold(text or "")), size)


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=8)
def _template(num_perm: int) -> MinHash:
    # Drawing the permutations costs ~0.1 ms per signature; they depend only on (SEED, num_perm).
    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)


def shingle_hash(shingle: bytes) -> int:
    """datasketch's default hash (sha1_hash32: the first 4 bytes of SHA-1, little-endian)."""
    return int.from_bytes(_sha1(shingle).digest()[:4], "little")


def minhash(text: str | None, num_perm: int = DEFAULT_NUM_PERM, size: int = DEFAULT_SHINGLE,
            min_words: int = DEFAULT_MIN_WORDS) -> LeanMinHash | None:
    """The body's MinHash signature, or None when it is too short to compare.

    Equal to ``MinHash(num_perm, seed=SEED, scheme=SCHEME).update_batch(...)`` with datasketch's
    default hash (tests/test_dedup.py checks it), so stored signatures stay comparable; the text
    is folded and split once, and the shingles are hashed in one comprehension handed to
    datasketch as integers: ~2x cheaper than the per-shingle hash function calls.
    """
    words = _WORD.findall(fold(text or ""))
    if len(words) < min_words:
        return None
    sig = _template(num_perm).copy()
    sig.hashfunc = int  # the values below are hashed already
    sig.update_batch([int.from_bytes(_sha1(s.encode("utf-8")).digest()[:4], "little")
                      for s in _shingle_set(words, size)])
    return LeanMinHash(sig)


def signature_bytes(sig: LeanMinHash) -> bytes:
    """A signature as little-endian uint32 bytes (4 per permutation), the stored form."""
    return np.asarray(sig.hashvalues, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(data, dtype="<u4"), scheme=SCHEME)


def signature_text(sig: LeanMinHash) -> str:
    """The stored form as base64 text, so it can travel in a JSON spool line."""
    return base64.b64encode(signature_bytes(sig)).decode("ascii")


def site_of(url: str | None) -> str:
    """The registrable part of a URL's host, roughly: ``arabic.cnn.com`` -> ``cnn.com``,
    ``www.youm7.com`` -> ``youm7.com``, ``news.example.com.eg`` -> ``example.com.eg``."""
    host = (urlsplit(url or "").hostname or "").lower().rstrip(".")
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"com", "net", "org", "gov", "edu", "co", "ac"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


class NearDuplicateIndex:
    """An LSH index of originals' signatures; ``best`` returns the closest indexed original."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = DEFAULT_NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.signatures: dict[str, LeanMinHash] = {}

    def __len__(self) -> int:
        return len(self.signatures)

    def __contains__(self, key: str) -> bool:
        return key in self.signatures

    def add(self, key: str, sig: LeanMinHash) -> None:
        """Index ``key`` (replacing what it had: a re-crawl with changed content)."""
        if len(sig.hashvalues) != self.num_perm:
            return  # made with another DEDUP_NUM_PERM: not comparable, so not indexed
        self.remove(key)
        self.lsh.insert(key, sig)
        self.signatures[key] = sig

    def remove(self, key: str) -> None:
        if key in self.signatures:
            self.lsh.remove(key)
            del self.signatures[key]

    def best(self, sig: LeanMinHash, exclude: str | None = None) -> tuple[str, float] | None:
        """The indexed key most similar to ``sig`` at or above the threshold, with its estimate."""
        found: list[tuple[float, str]] = []
        for key in self.lsh.query(sig):
            if key == exclude:
                continue
            score = sig.jaccard(self.signatures[key])
            if score >= self.threshold:
                found.append((score, key))
        if not found:
            return None
        score, key = max(found)  # ties: a fixed order, so reruns decide the same way
        return key, score


@dataclass
class DedupDecision:
    """What the dedup step decided for one item, handed to the store step."""

    store_key: str  # the row's key in the store (the item's url for a cross-site canonical)
    duplicate_of: str | None = None
    kind: str | None = None  # "url" | "content" | "near"
    score: float | None = None
    minhash: str | None = None  # base64 signature, stored for the next run's index
    num_perm: int | None = None


# Decisions travel from the dedup step to the store step through the crawler they both belong
# to: the Article item has no field for them, and a link is not part of the page's content.
_DECISIONS: weakref.WeakKeyDictionary[Any, dict[str, DedupDecision]] = weakref.WeakKeyDictionary()


def decisions_for(crawler: Any) -> dict[str, DedupDecision]:
    """The crawler's pending decisions, keyed by the item's own key (canonical_url or url)."""
    try:
        return _DECISIONS.setdefault(crawler, {})
    except TypeError:  # an object that cannot be weakly referenced: no sharing, no leak
        return {}
