"""Page -> field values. Pure functions over a parsel Selector (or its lxml root)."""
