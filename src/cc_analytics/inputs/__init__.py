"""Reading the files schools keep: a dataset folder, its CSV and XLSX sheets, into text tables."""
