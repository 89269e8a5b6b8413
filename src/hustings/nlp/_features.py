"""Turn short messages into hashed TF-IDF vectors, the same way at training and at run time.

One function serves both, so a model can never see features at run time that differ from the
ones it was fitted on. Features are hashed (no vocabulary to ship): word unigrams and
bigrams, character 2-5-grams over the normalised text, and a pseudo-word for shouting. Character
n-grams are hashed with vectorised numpy arithmetic rather than a Python loop over every n-gram,
which is what keeps throughput in the thousands of messages per second on one core.

Every feature also remembers which word of its message produced it, so a prediction can say in
words what drove it (see ``_linear.LinearHead.explain``).

A model may also ask for emoji to be followed by the words of their Unicode names ("😡" becomes
"😡 pouting face"), so that a model trained on text without emoji still reads them; and for a
sentiment lexicon's ratings as two more features (see ``_valence``).
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from hustings.nlp._lexicon import KINDS, deobfuscate, lexicon_hits
from hustings.nlp._valence import valences

if TYPE_CHECKING:
    from hustings.nlp._vectors import WordVectors

__all__ = [
    "CAPS_TOKEN",
    "DIM_BITS",
    "END_MARK",
    "START_MARK",
    "VALENCE_COLUMNS",
    "Features",
    "featurize",
    "frame",
    "group",
    "name_emoji",
    "normalize",
    "tokenize",
    "word_buckets",
]

DIM_BITS: Final = 19
_DIM: Final = 1 << DIM_BITS
_MASK: Final = np.uint64(_DIM - 1)
_CHAR_NS: Final = (2, 3, 4, 5)
_MAX_CAPS_TOKENS: Final = 3
CAPS_TOKEN: Final = "<caps>"
_PRIME: Final = 0x100000001B3
_PRIME_INVERSE: Final = pow(_PRIME, -1, 1 << 64)
_SEED_UNIGRAM: Final = 0x51ED27
_SEED_BIGRAM: Final = 0xB16A3
_SEED_CAPS: Final = 0xCA95
_SEED_LEXICON: Final = 0x1E71C0
_SEED_VECTORS: Final = 0x7EC5
# Seeds whose buckets no n-gram of the sentiment training pool falls in (most buckets have one).
_SEED_VALENCE_NEGATIVE: Final = 0x1E0B
_SEED_VALENCE_POSITIVE: Final = 0x1E9A
# Lexicon ratings run to 4; a quarter of one is comparable to one normalised n-gram's value.
_VALENCE_SCALE: Final = 0.25

START_MARK: Final = "xxbos"
END_MARK: Final = "xxeos"
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_USER = re.compile(r"@\w+")
_ENTITY = re.compile(r"&(amp|lt|gt|quot);")
_ELONGATION = re.compile(r"(.)\1{2,}")
_TOKEN = re.compile(r"[#@]?\w+(?:['’]\w+)*|\?+|!+|[^\w\s]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']{2,}\b")
_ENTITIES: Final = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}
_PLACEHOLDER_CAPS: Final = {"URL", "USER"}

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def frame(texts: Sequence[str], *, markers: bool) -> list[str]:
    """The messages as a model reads them: with ``markers`` (needs-reply asks for them), each
    between a start and an end word, so that the word a message opens with and the mark it
    closes with ("what ...", "... ?") are features of their own."""
    if not markers:
        return list(texts)
    return [f"{START_MARK} {t} {END_MARK}" for t in texts]


def normalize(text: str) -> str:
    """Lower-case a tweet and fold the variation that carries no meaning for our tasks.

    Links become ``url`` and handles ``@user`` (TweetEval already anonymises handles this way, so
    live messages must look the same); runs of three or more identical characters shrink to two
    ("soooo" and "sooo" are the same word, "!!!!!" the same shout).
    """
    text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)
    text = _URL.sub(" url ", text)
    text = _USER.sub("@user", text)
    return _ELONGATION.sub(r"\1\1", text.lower())


@functools.cache
def _emoji_words(symbol: str) -> str:
    return f" {symbol} {unicodedata.name(symbol, '').lower()} "


def name_emoji(text: str) -> str:
    """Follow each emoji with the words of its Unicode name: "so proud 😂" -> "so proud 😂 face
    with tears of joy".

    The SemEval sentiment pool (2013-2016) has no emoji at all, while one in nine of TweetEval's
    emotion and offensive tweets (2017-2018) has one; named, an emoji shares the weights its
    words learnt from text.
    """
    return _EMOJI.sub(lambda m: _emoji_words(m.group()), text)


def tokenize(text: str) -> list[str]:
    """Split a raw message into normalised tokens, plus ``<caps>`` for each shouted word.

    Lower-casing would otherwise erase shouting, which is one of the signals staff asked for.
    """
    words, shouted = _split(text)
    return words + [CAPS_TOKEN] * shouted


def _split(text: str) -> tuple[list[str], int]:
    caps = _CAPS_WORD.findall(_URL.sub(" ", _USER.sub(" ", text)))
    shouted = min(sum(1 for w in caps if w not in _PLACEHOLDER_CAPS), _MAX_CAPS_TOKENS)
    return _TOKEN.findall(normalize(text)), shouted


@dataclass(frozen=True, slots=True)
class Features:
    """Hashed features for a batch, with the bookkeeping needed to explain predictions.

    ``matrix`` is what a linear model scores. Message ``d`` owns ``words[first[d]:first[d + 1]]``.
    Each raw entry ``k`` (``doc[k]``, ``col[k]``) came from word ``token[k]``, an index into
    ``words``; ``scale[k]`` is its share of the matrix cell it falls in. The last ``lexical``
    entries are sentiment-lexicon ratings (none unless the model asked for them).
    """

    matrix: sp.csr_matrix
    words: list[str]
    first: IntArray
    doc: IntArray
    col: IntArray
    token: IntArray
    scale: FloatArray
    lexical: int = 0


def _mix(h: npt.NDArray[np.uint64], seed: int) -> IntArray:
    """Finalise a polynomial hash into a bucket, so nearby n-grams land far apart."""
    h = h + np.uint64(seed * 0x9E3779B97F4A7C15 % (1 << 64))
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(29))
    return (h & _MASK).astype(np.int64)


def _powers(base: int, size: int) -> npt.NDArray[np.uint64]:
    """``base ** i`` modulo 2**64 for i in range(size); numpy wraps unsigned overflow."""
    out = np.full(size, base, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class _Entries:
    doc: list[IntArray]
    col: list[IntArray]
    token: list[IntArray]

    def add(self, doc: IntArray, col: IntArray, token: IntArray) -> None:
        self.doc.append(doc)
        self.col.append(col)
        self.token.append(token)


def _hash_batch(joined: list[str], base: IntArray, words: _Entries, chars: _Entries) -> None:
    """Hash every word, word bigram and character n-gram of every message at once.

    ``joined[d]`` is message ``d`` as its tokens separated by single spaces and ``base[d]`` the
    batch index of its first token. A token's hash is a polynomial over its characters, taken
    from prefix sums in one pass (the prime is odd, so it is invertible modulo 2**64). Each
    character n-gram is credited to the token its first character belongs to (a leading space
    goes to the token after it).
    """
    lengths = np.fromiter((len(s) + 2 for s in joined), dtype=np.int64, count=len(joined))
    text = "".join(f" {s} " for s in joined)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = len(codes)
    doc_of = np.repeat(np.arange(len(joined), dtype=np.int64), lengths)
    is_space = codes == 32
    starts = np.flatnonzero(~is_space[1:] & is_space[:-1]) + 1
    ends = np.flatnonzero(~is_space[:-1] & is_space[1:])
    begins = np.zeros(size, dtype=np.int64)
    begins[starts] = 1
    seen = np.cumsum(begins)
    doc_first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    local = seen - seen[doc_first][doc_of] - 1
    token_of = base[doc_of] + np.where(is_space, local + 1, local)

    with np.errstate(over="ignore"):
        prefix = np.cumsum(codes * _powers(_PRIME_INVERSE, size), dtype=np.uint64)
        before = np.where(starts > 0, prefix[starts - 1], np.uint64(0))
        token_hash = (prefix[ends] - before) * _powers(_PRIME, size)[ends]
        token_doc = doc_of[starts]
        token_index = token_of[starts]
        words.add(token_doc, _mix(token_hash, _SEED_UNIGRAM), token_index)
        pair = np.flatnonzero(token_doc[:-1] == token_doc[1:])
        bigram = _mix(token_hash[pair] * np.uint64(_PRIME) + token_hash[pair + 1], _SEED_BIGRAM)
        for side in (pair, pair + 1):
            words.add(token_doc[side], bigram, token_index[side])

        rolling = np.zeros(size, dtype=np.uint64)
        for n in range(1, max(_CHAR_NS) + 1):
            count = size - n + 1
            if count <= 0:
                break  # a batch shorter than the n-gram (one message "x"): no longer grams
            rolling = rolling[:count] * np.uint64(_PRIME) + codes[n - 1 : n - 1 + count]
            if n not in _CHAR_NS:
                continue
            valid = doc_of[:count] == doc_of[n - 1 : n - 1 + count]
            valid &= ~(is_space[:count] & is_space[1 : 1 + count])
            idx = np.flatnonzero(valid)
            chars.add(doc_of[idx], _mix(rolling[idx], n), token_of[idx])


def group(keys: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """``np.unique(keys, return_inverse=True, return_counts=True)`` in a third of its time.

    The distinct keys in order, the position of each key's value among them, and how many
    times each occurs: one argsort and a few linear passes (``np.unique`` does more work to
    serve every combination of its options).
    """
    if len(keys) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.empty(len(keys), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    counts = np.diff(first, append=len(keys))
    return ordered[first], inverse, counts


def _block_matrix(
    entries: _Entries, n_docs: int, idf: FloatArray
) -> tuple[sp.csr_matrix, IntArray, IntArray, IntArray, FloatArray]:
    """Binary TF-IDF, L2-normalised per message; also the value each raw entry adds to it.

    Presence rather than counts: a word said twice in a tweet is not twice the evidence. An
    n-gram produced by several words shares its value equally among them.
    """
    doc = np.concatenate(entries.doc)
    col = np.concatenate(entries.col)
    token = np.concatenate(entries.token)
    # One sort of the (message, bucket) keys gives the matrix's cells in CSR order, how many
    # raw entries fell in each, and which cell each entry went to: no COO conversion, no
    # duplicate summing and no search afterwards (those took most of featurising's time).
    cells, where, counts = group(doc * _DIM + col)
    rows = cells // _DIM
    indices = (cells - rows * _DIM).astype(np.int32)
    data = idf[indices]
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n_docs))
    norms[norms == 0] = 1.0
    data = data * (1.0 / norms).astype(np.float32)[rows]
    indptr = np.zeros(n_docs + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n_docs, _DIM))
    matrix.has_sorted_indices = True
    return matrix, doc, col, token, (data[where] / counts[where]).astype(np.float32)


def _column(seed: int) -> int:
    """The bucket of a pseudo-feature that stands for itself rather than for an n-gram."""
    return int(_mix(np.zeros(1, dtype=np.uint64), seed)[0])


# One bucket per kind of listed word, shared by every word of that kind.
_LEXICON_COLS: Final = {kind: _column(_SEED_LEXICON + i) for i, kind in enumerate(KINDS)}

VALENCE_COLUMNS: Final = (_column(_SEED_VALENCE_NEGATIVE), _column(_SEED_VALENCE_POSITIVE))
"""The buckets of the lexicon's negative and positive sums."""


def _valence_block(
    rated: list[tuple[int, int, float]], n_docs: int
) -> tuple[sp.csr_matrix, IntArray, IntArray, IntArray, FloatArray]:
    """How positive and how negative each message is: two columns summing its rated words.

    ``rated`` holds ``(doc, token, valence)``. Sums, not normalised like the n-gram blocks: two
    angry words are more evidence than one. Each rated word is its own entry, so an explanation
    can name it.
    """
    doc = np.asarray([r[0] for r in rated], dtype=np.int64)
    token = np.asarray([r[1] for r in rated], dtype=np.int64)
    valence = np.asarray([r[2] for r in rated], dtype=np.float32)
    col = np.where(valence > 0, VALENCE_COLUMNS[1], VALENCE_COLUMNS[0]).astype(np.int64)
    value = (np.abs(valence) * _VALENCE_SCALE).astype(np.float32)
    matrix = sp.csr_matrix((value, (doc, col)), shape=(n_docs, _DIM), dtype=np.float32)
    return matrix, doc, col, token, value


def word_buckets(words: list[str]) -> IntArray:
    """The bucket ``featurize`` hashes each of ``words`` (normalised single tokens) into."""
    unigrams = _Entries([], [], [])
    _hash_batch(words, np.arange(len(words), dtype=np.int64), unigrams, _Entries([], [], []))
    return unigrams.col[0]


def _vector_block(
    vectors: WordVectors, n_docs: int, doc: IntArray, bucket: IntArray
) -> sp.csr_matrix:
    """Each message's unit-length sum of its words' vectors, one column per dimension.

    Explanations leave this block out (it has no raw entries): crediting each word with its
    share of every dimension took a third of the classifier's throughput, and the words it
    would name still get credit for their own n-grams.
    """
    rows = vectors.rows(bucket)
    known = rows >= 0
    doc, rows = doc[known], rows[known]
    dim = vectors.vectors.shape[1]
    per_word = vectors.vectors[rows]
    ones = np.ones(len(doc), dtype=np.float32)
    words_of = sp.csr_matrix((ones, (doc, np.arange(len(doc)))), shape=(n_docs, len(doc)))
    sums = np.asarray(words_of @ per_word, dtype=np.float32)
    norms = np.linalg.norm(sums, axis=1)
    norms[norms == 0] = 1.0
    columns = _vector_columns(dim)
    matrix = sp.csr_matrix(
        (
            (sums / norms[:, None]).ravel(),
            np.tile(columns, n_docs),
            np.arange(0, n_docs * dim + 1, dim),
        ),
        shape=(n_docs, _DIM),
    )
    matrix.eliminate_zeros()
    return matrix


@functools.cache
def _vector_columns(dim: int) -> IntArray:
    """The bucket of each word-vector dimension; distinct, so no two dimensions add up."""
    columns = np.unique(_mix(np.arange(4 * dim, dtype=np.uint64), _SEED_VECTORS))[:dim]
    return np.sort(columns)


def featurize(
    texts: list[str],
    idf: FloatArray | None = None,
    *,
    emoji_names: bool = False,
    lexicon: bool = False,
    valence: bool = False,
    vectors: WordVectors | None = None,
) -> Features:
    """Featurise a batch of raw messages.

    ``idf`` weights each bucket (ones when fitting the IDF itself); ``emoji_names`` applies
    ``name_emoji`` first, and ``lexicon`` spells out disguised listed words and adds one
    feature per kind of listed word (see ``_lexicon``), ``valence`` adds the sentiment
    lexicon's two columns (see ``_valence``), and ``vectors`` adds the message's word vector
    (see ``_vectors``), for the models trained that way. Word and character blocks are
    normalised separately, as two stacked TF-IDF vectorisers would be, so that the many
    character n-grams do not drown out the few word n-grams.
    """
    weights = np.ones(_DIM, dtype=np.float32) if idf is None else idf
    if emoji_names:
        texts = [name_emoji(text) for text in texts]
    if lexicon:
        texts = [deobfuscate(text) for text in texts]
    words: list[str] = []
    joined: list[str] = []
    bases: list[int] = []
    caps_doc: list[int] = []
    caps_token: list[int] = []
    listed: list[tuple[int, int, int]] = []
    rated: list[tuple[int, int, float]] = []
    for d, text in enumerate(texts):
        plain, shouted = _split(text)
        if valence:
            rated += [(d, len(words) + i, v) for i, v in valences(plain) if v]
        bases.append(len(words))
        joined.append(" ".join(plain))
        words.extend(plain)
        for _ in range(shouted):
            caps_doc.append(d)
            caps_token.append(len(words))
            words.append(CAPS_TOKEN)
        if lexicon:
            for position, kind in lexicon_hits(plain):
                listed.append((d, _LEXICON_COLS[kind], bases[d] + position))
    word_entries = _Entries([], [], [])
    char_entries = _Entries([], [], [])
    _hash_batch(joined, np.asarray(bases, dtype=np.int64), word_entries, char_entries)
    caps_col = _column(_SEED_CAPS)
    word_entries.add(
        np.asarray(caps_doc, dtype=np.int64),
        np.full(len(caps_doc), caps_col, dtype=np.int64),
        np.asarray(caps_token, dtype=np.int64),
    )
    blocks = [word_entries, char_entries]
    if lexicon:
        doc, col, token = np.asarray(listed, dtype=np.int64).reshape(-1, 3).T
        blocks.append(_Entries([doc], [col], [token]))
    built = [_block_matrix(entries, len(texts), weights) for entries in blocks]
    matrix = functools.reduce(operator.add, (b[0] for b in built))
    if vectors is not None:
        # ``_hash_batch`` adds the unigrams first: their buckets key the word vectors.
        unigrams = word_entries.doc[0], word_entries.col[0]
        matrix = matrix + _vector_block(vectors, len(texts), *unigrams)
    if rated:  # last, where ``Features.lexical`` says they are
        built.append(_valence_block(rated, len(texts)))
        matrix = matrix + built[-1][0]
    return Features(
        matrix=sp.csr_matrix(matrix),
        words=words,
        first=np.asarray([*bases, len(words)], dtype=np.int64),
        doc=np.concatenate([b[1] for b in built]),
        col=np.concatenate([b[2] for b in built]),
        token=np.concatenate([b[3] for b in built]),
        scale=np.concatenate([b[4] for b in built]),
        lexical=len(rated),
    )
