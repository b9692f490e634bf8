"""The name and document folding of the person index lives in records/names.py, shared with the
booth's watchlist match; imported here so central/trace keeps its imports."""

from records.names import (
    DIGRAPHS,
    DOC_JUNK,
    DOUBLED,
    MATCH_SCORE,
    NOT_LETTER,
    SPECIAL,
    doc_key,
    doc_number,
    fold,
    name_block,
    name_key,
    name_score,
    tokens,
)

__all__ = ["DIGRAPHS", "DOC_JUNK", "DOUBLED", "MATCH_SCORE", "NOT_LETTER", "SPECIAL", "doc_key",
           "doc_number", "fold", "name_block", "name_key", "name_score", "tokens"]
