"""Writes of the media library, one module per concern: upload, edit (and delete), renditions."""
