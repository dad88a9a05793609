"""Scanners and the device manager."""
