"""The seed forms and statistics, computed as of a moment from the transition log, rendered to PDF and Excel.

``asof`` counts (one grouped query over the transition log), ``layouts`` assembles the rows of the
seed's attachments into a layout grid, ``pdf`` and ``xlsx`` render that grid to bytes,
``statistics`` feeds the statistics page. All are pure functions of their arguments.
"""
