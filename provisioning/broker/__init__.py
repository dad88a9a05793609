"""The broker: its configuration template and the credentials generated from the registry."""
