"""Text normalization below both ingest and index: white space, brackets and the search
normal form (`clean`), Chinese numerals and article numbers (`numerals`), 发文字号 (`docnum`).
Standard library only."""
