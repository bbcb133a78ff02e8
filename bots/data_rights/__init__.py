"""A consumer's data rights: export, erasure, consent, and their links."""
