"""The spaCy-free core: codes, concepts with is-a ancestors, units, comparators, time units,
windows, the Lexicon, and the entity / constraint / ParsedTrial models. Every stage may import
it; it imports no stage and never spaCy."""
