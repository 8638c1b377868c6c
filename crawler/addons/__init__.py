"""Scrapy add-ons: each wires one optional capability from one line in ``ADDONS`` and switches
itself on only when its setting is present (``REDIS_URL`` for distributed crawling; an outlet with
``needs_js``, ``RENDER_ENABLED`` or ``SPLASH_URL`` for JavaScript rendering)."""
