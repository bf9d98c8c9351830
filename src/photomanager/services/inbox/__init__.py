"""The inbox: reading DeviantArt's message center, crediting outcomes, answering replies."""
