"""Reading DeviantArt's feeds: sources, filters, the collector and its background runs."""
