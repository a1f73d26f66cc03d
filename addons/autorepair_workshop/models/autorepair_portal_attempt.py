import hashlib
from datetime import timedelta

from odoo import api, fields, models


class AutorepairPortalAttempt(models.Model):
    """One attempt at a rate-limited portal action (a quote decision), kept in
    the database so that the limit holds across the web workers. Keys are
    hashed: no link or address is stored in clear. Written and read only by
    the portal controller as the superuser."""

    _name = "autorepair.portal.attempt"
    _description = "Portal Attempt"
    _log_access = False

    scope = fields.Char(required=True, index=True)
    key = fields.Char(required=True, index=True)
    attempted_on = fields.Datetime(required=True, index=True, default=fields.Datetime.now)

    @api.model
    def _hash(self, value):
        return hashlib.sha256(str(value).encode()).hexdigest()

    @api.model
    def _allow_attempt(self, scope, keys, limit, window_minutes):
        """Record an attempt under each of ``keys`` unless one of them already
        has ``limit`` attempts within the last ``window_minutes``.

        :return: True when the attempt may go on, False when refused
        """
        since = fields.Datetime.now() - timedelta(minutes=window_minutes)
        hashed = [self._hash(key) for key in keys if key]
        counts = dict(self.sudo()._read_group(
            [("scope", "=", scope), ("key", "in", hashed), ("attempted_on", ">=", since)], ["key"], ["__count"]))
        if any(counts.get(key, 0) >= limit for key in hashed):
            return False
        self.sudo().create([{"scope": scope, "key": key} for key in hashed])
        return True

    @api.autovacuum
    def _gc_attempts(self):
        """Attempts older than a day count for no window."""
        self.sudo().search([("attempted_on", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
