"""Constraints out to what users' systems speak: FHIR R5 (``nlp.export.fhir``)."""
