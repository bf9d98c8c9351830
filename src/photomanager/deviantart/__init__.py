"""deviantart"""
