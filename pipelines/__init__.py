"""Item pipelines, one step per module: clean -> related -> validate -> store."""
