"""Screening: which deviations may be commented on, shared by collecting and posting.

- `filters`: the reasons a deviation is turned away, from the feed and from its metadata;
- `metadata`: deviations enriched with tags and description (`deviation/metadata`).
"""
