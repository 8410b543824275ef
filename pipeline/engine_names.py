"""The translation engines by name, and where each one's class is imported from.

A table apart from ``pipeline.engines`` so that the model catalogue can check a manifest's
engine without importing the engines (which import the model package): importing it loads
no engine.
"""

# name -> "module:class"; modules are imported on first use, so `bitext --help` stays fast.
ENGINES = {
    "ctranslate2": "pipeline.engines.ct2:CTranslate2Engine",
    "transformers": "pipeline.engines.hf:TransformersEngine",
}
