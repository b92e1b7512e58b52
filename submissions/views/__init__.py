"""Views of the submissions app, one module per area; they stay thin (services and selectors do the work)."""
