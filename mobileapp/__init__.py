"""Yiwang (一网) resident app, written in Flet: runs as a web app here and builds to Android/iOS with ``flet build``."""
