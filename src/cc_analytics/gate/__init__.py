"""The validation gate and ingest: every input checked (Great Expectations suites generated
from the table contract, plus cross-table checks), problems reported all at once in French,
and only then the typed tables written."""
