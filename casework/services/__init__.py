"""Writes. One function per transition or command: atomic, locked, checked, recorded, notified."""
