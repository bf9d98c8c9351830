"""What the artist reads: the status report, skip reasons by kind, the comment log and its CSV."""
