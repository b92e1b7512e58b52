"""Insight across years: search, SDG coverage, comparing years, the library of recurring rows,
completeness. Reads only (selectors); the one write, reusing a library item, is a service."""
