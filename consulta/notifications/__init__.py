"""Notifications: who is told what by e-mail. Views never send mail themselves; they call this package."""
