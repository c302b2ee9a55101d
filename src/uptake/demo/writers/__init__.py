"""One module per output format; each streams rows to disk as the simulation produces them."""
