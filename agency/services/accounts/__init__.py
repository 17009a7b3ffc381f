"""Staff and creditor accounts: signing in (the lock after failed logins), revocable
sessions, the second factor, and what an administrator does to an account. The rules
(what an email or a password may be, how long a lock lasts) are in agency.domain.accounts.
"""
