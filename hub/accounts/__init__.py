"""Org accounts: users, passwords, TOTP, sessions, invitations, audit, roles."""
