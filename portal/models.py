"""Models of this domain arrive with its issue (see docs/architecture.md)."""
