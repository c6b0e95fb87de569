"""Developer tools that are not part of the shipped service (not in INSTALLED_APPS in production)."""
