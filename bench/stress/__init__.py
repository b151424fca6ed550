"""The stress set: documents drawn independently of the pipeline, and the scorer that judges a release."""
