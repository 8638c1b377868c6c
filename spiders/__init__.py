"""One small module per outlet. Each declares its metadata, sources, URL rules and selectors."""
