"""Getting police.uk months into a data folder: the API, the archive, the month files."""
