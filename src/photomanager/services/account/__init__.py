"""The connected DeviantArt account: login (OAuth + PKCE), tokens and their refresh, who we are."""
