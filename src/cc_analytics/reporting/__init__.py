"""Reports: the context a report reads, the tables each shows (``views``), French charts and
tables, and the papermill + nbconvert run that turns a notebook into a self-contained page."""
