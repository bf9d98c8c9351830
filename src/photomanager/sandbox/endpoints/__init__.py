"""The fake site's endpoints: OAuth, feeds, metadata, comments, and the routing table."""
