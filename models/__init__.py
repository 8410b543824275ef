"""The model catalogue: one TOML manifest per model (installed as pipeline.model.manifests)."""
