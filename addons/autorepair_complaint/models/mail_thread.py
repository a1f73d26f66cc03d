import logging

from odoo import models

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _routing_check_route(self, message, message_dict, route, raise_exception=True):
        """E-mail bound to a complaint, whichever way Odoo routed it (the alias,
        a reply, a mail server's fallback model): a sender beyond his hourly
        number of new tickets is dropped without a bounce (a flood is not
        answered), and the author Odoo found by a loose lookup over every
        partner is replaced by the complaint's own rule (``message_new``,
        ``message_update``)."""
        route = super()._routing_check_route(message, message_dict, route, raise_exception=raise_exception)
        if not route or route[0] != "autorepair.complaint" or route[1]:
            return route
        Complaint = self.env["autorepair.complaint"].sudo()
        company = Complaint._alias_company(message_dict, route[2])
        if Complaint._alias_over_rate_limit(message_dict.get("email_from"), company):
            _logger.info("Complaint alias: mail from %s with Message-Id %s dropped, the sender reached the hourly "
                         "limit of %s tickets of company %s", message_dict.get("email_from"),
                         message_dict.get("message_id"), company._autorepair_complaint_setting("alias_rate_limit"),
                         company.id)
            return ()
        return route
