"""The domain's rules, each declared once: who holds which role, the lifecycle, the scope of a membership.

``roles`` and ``lifecycle`` are pure (no model imports): the models build their state machines from them.
``scope`` reads the models. Nothing here imports the services, the access layer or the web.
"""
