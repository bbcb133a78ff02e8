"""Evidence dossiers: build, render as PDF, verify, and deliver."""
