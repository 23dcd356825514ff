"""Reading a data folder: files to validated tables, incidents placed in hubs, coverage, uploads."""
