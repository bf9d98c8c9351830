"""Switchable faults (`switches`) and the demo's one-line spec of them (`spec`)."""
