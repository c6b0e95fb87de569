"""Read queries. Every one starts from casework.access.hazards_visible_to."""
