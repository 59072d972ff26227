"""Annotated corpora as examples: the Chia corpus (brat), our gold annotations of ctgov-msc
trials, and the criterion classes derived from their labels. Read by training and evaluation
alike (neither imports the other's internals for data)."""
