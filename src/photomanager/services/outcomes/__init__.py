"""What the comments earned: figures per template, source and week (read only)."""
