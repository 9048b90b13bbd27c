"""Guided response as configuration: the `incident_types:`, `custom_fields:` and `workflows:`
sections of INCIDENT_CONFIG as pydantic models (the JSON Schema of `config check` is generated
from them), their sandboxed templates, and the reading of custom field values."""
