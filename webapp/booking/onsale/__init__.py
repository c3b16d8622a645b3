"""onsale"""
