"""Org accounts: members, passwords, TOTP, sessions, invitations, recovery, audit.

Invariants:
- no secret that signs anyone in is stored usable: passwords and PINs are
  argon2id, tokens and backup codes sha256, TOTP secrets AES-256-GCM under
  a key kept outside the database (``keyring.py``);
- a TOTP code is accepted once (the last accepted step is stored) and the
  second factor fails closed without its key;
- every security event and admin action is in the org's hash-chained,
  append-only audit log, in the same transaction as the change;
- every query is scoped to the caller's org; an id of another org is 404.

Services (``signup``, ``signin``, ``enrolment``, ``self_service``,
``members``, ``invites``, ``recovery``) each own one transaction per step;
helpers (``audit.record``, ``lockout``, ``sessions.open_session``) never
commit. ``sessions.resolve`` and ``members.roster_for_store`` are for the
rest of the hub. See ``hub/README.md`` (Accounts).
"""
