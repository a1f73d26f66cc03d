import logging
from datetime import timedelta

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# errcodes of a refused access_token: 40001 invalid credential, 40014 invalid
# access_token, 42001 access_token expired -> refresh it, retry once (全局返回码,
# https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html)
TOKEN_ERRORS = (40001, 40014, 42001)
# a token this close to its end is refreshed before use
MARGIN = timedelta(seconds=300)
# pg advisory lock namespace of the refresh (one per company): "wx"
LOCK_NAMESPACE = 0x7778


class AutorepairWeChatClient(WeChatClient):
    """wechatpy's official-account client with its API at the company's
    endpoint (https://api.weixin.qq.com by default, a local server in tests).
    Tokens come from ``autorepair.wechat.token``, never refreshed by the client
    itself (auto_retry off): the refresh must be one at a time across workers."""

    def __init__(self, appid, secret, endpoint, access_token=None, timeout=10):
        super().__init__(appid, secret, access_token=access_token, timeout=timeout, auto_retry=False)
        self.endpoint = (endpoint or "https://api.weixin.qq.com").rstrip("/")
        self.API_BASE_URL = f"{self.endpoint}/cgi-bin/"

    def fetch_access_token(self):
        # 获取Access token: GET /cgi-bin/token?grant_type=client_credential&appid=&secret=
        # -> {"access_token": ..., "expires_in": 7200}
        # (https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html)
        return self._fetch_access_token(url=f"{self.endpoint}/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})


def refresh_access_token(cursor_factory, company_id, client, stale=None):
    """The company's access token after a refresh, one refresher at a time.

    WeChat keeps a single valid token per account (a new one ends the old one
    after 5 minutes), so workers must not each fetch their own: the refresher
    holds a PostgreSQL advisory lock in its own transaction; one that waited
    for it finds the token the other stored and uses it. ``stale`` is the
    token WeChat just refused: a stored token equal to it is refreshed even
    if it is not expired yet.

    :param cursor_factory: returns a new cursor (the registry's; tests give
        real cursors to run two refreshers at once)
    """
    with cursor_factory() as cr:
        cr.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, company_id])
        try:
            # a new transaction: its snapshot shows what a refresher committed while we waited
            cr.commit()  # pylint: disable=invalid-commit  # the refresher's own cursor
            cr.execute("SELECT access_token, expires_at FROM autorepair_wechat_token WHERE company_id = %s",
                       [company_id])
            row = cr.fetchone()
            now = fields.Datetime.now()
            if row and row[0] and row[1] and row[1] - MARGIN > now and row[0] != stale:
                return row[0]
            result = client.fetch_access_token()
            expires_at = now + timedelta(seconds=int(result.get("expires_in") or 7200))
            cr.execute("""
                INSERT INTO autorepair_wechat_token (company_id, access_token, expires_at, create_date, write_date,
                                                     create_uid, write_uid)
                VALUES (%(company)s, %(token)s, %(expires)s, now() at time zone 'utc', now() at time zone 'utc', 1, 1)
                ON CONFLICT (company_id) DO UPDATE
                    SET access_token = EXCLUDED.access_token, expires_at = EXCLUDED.expires_at,
                        write_date = EXCLUDED.write_date
            """, {"company": company_id, "token": result["access_token"], "expires": expires_at})
            cr.commit()  # pylint: disable=invalid-commit  # the token shared before the lock is released
            return result["access_token"]
        finally:
            cr.rollback()
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, company_id])
            cr.commit()  # pylint: disable=invalid-commit  # the refresher's own cursor


class AutorepairWechatToken(models.Model):
    """The access token (接口调用凭证) of a company's official account, shared
    by every worker: stored in the database, refreshed by one at a time.
    Administrators only, like the AppSecret it is obtained with."""

    _name = "autorepair.wechat.token"
    _description = "WeChat Access Token"
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    access_token = fields.Char(readonly=True)
    expires_at = fields.Datetime(readonly=True)

    _sql_constraints = [("company_uniq", "unique(company_id)", "One access token per official account.")]

    @api.model
    def _autorepair_client(self, company):
        """A client of the company's official account with a valid token."""
        company = company.sudo()
        if not (company.autorepair_wechat_app_id and company.autorepair_wechat_app_secret):
            raise UserError(self.env._("%(company)s has no WeChat official account (AppID and AppSecret) set up.",
                                       company=company.name))
        client = AutorepairWeChatClient(company.autorepair_wechat_app_id, company.autorepair_wechat_app_secret,
                                        company.autorepair_wechat_endpoint)
        stored = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if stored.access_token and stored.expires_at and stored.expires_at - MARGIN > fields.Datetime.now():
            token = stored.access_token
        else:
            token = self._autorepair_refresh(company, client)
        client.session.set(client.access_token_key, token)
        return client

    def _autorepair_refresh(self, company, client, stale=None):
        # its own cursor: the token is shared with the other workers before the lock is released
        token = refresh_access_token(self.env.registry.cursor, company.id, client, stale=stale)
        self.sudo().search([("company_id", "=", company.id)]).invalidate_recordset()
        return token

    @api.model
    def _autorepair_call(self, company, call):
        """``call(client)`` against the company's official account; a token
        WeChat refuses (40001, 40014, 42001) is refreshed and the call tried once more.

        :raise WeChatClientException: WeChat's error (``errcode``, ``errmsg``);
            errcode None when WeChat could not be reached
        """
        client = None
        try:
            client = self._autorepair_client(company)
            try:
                return call(client)
            except WeChatClientException as error:
                if error.errcode not in TOKEN_ERRORS:
                    raise
                _logger.info("WeChat refused the access token of company %s (%s): refreshing", company.id,
                             error.errcode)
                token = self._autorepair_refresh(company.sudo(), client, stale=client.session.get(
                    client.access_token_key))
                client.session.set(client.access_token_key, token)
                return call(client)
        except requests.RequestException as error:
            raise WeChatClientException(None, str(error), client=client) from error
