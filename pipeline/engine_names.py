"""The translation engines by name, and where each one's class is imported from.

A table apart from ``pipeline.engines`` so that the model catalogue can check a manifest's
engine without importing the engines (which import the model package): importing it loads
no engine.
"""

CTRANSLATE2 = "ctranslate2"
TRANSFORMERS = "transformers"
# What `bitext run` and `bitext eval` use, and a manifest that names no engine recommends.
DEFAULT_ENGINE = CTRANSLATE2

# name -> "module:class"; modules are imported on first use, so `bitext --help` stays fast.
ENGINES = {
    CTRANSLATE2: "pipeline.engines.ct2:CTranslate2Engine",
    TRANSFORMERS: "pipeline.engines.hf:TransformersEngine",
}
