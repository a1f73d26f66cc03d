from datetime import timedelta

from odoo import api, fields, models


class AutorepairServiceOrder(models.Model):
    """What the order tells its customer (RULEBOOK §3.2, 3.6, 3.9, 3.10, 3.13):
    the appointment booked, the quote to approve, a delay, the car ready and,
    when the follow-up call found nobody, the follow-up message. All are
    service messages: never to a customer who opted out of them (the desk
    tells him), by email when he prefers it, else by WeChat or SMS through the
    company's channel (``_autorepair_send_notice``), as the approved template
    of the notice's kind filled with the order's values."""

    _inherit = "autorepair.service.order"

    def _autorepair_channel_values(self, partner):
        values = super()._autorepair_channel_values(partner)
        # the time that matters to the customer: the booking before the car is in, then the promise
        when = self.appointment_start if self.state == "draft" else self.promised_date
        local = when and fields.Datetime.context_timestamp(self._autorepair_notice_tz(partner), when)
        amount = self._autorepair_customer_amount() if self.state != "draft" else 0.0
        values.update({
            "plate": self.vehicle_id.license_plate or "",
            "vehicle": self.vehicle_id.model_id.display_name or "",
            "date": local.strftime("%Y-%m-%d") if local else "",
            "time": local.strftime("%H:%M") if local else "",
            "link": self.get_base_url() + self.sudo().get_portal_url(),
            "order": self.name,
            "amount": f"{amount:.2f}" if amount else "",
            "advisor": self.advisor_id.name or "",
            "reason": self.delay_reason or "",
        })
        return values

    def _autorepair_customer_amount(self):
        """What the customer pays: on an accident repair, not the insurer's share."""
        return self.customer_amount if self.is_insurance else self.amount_total

    def _autorepair_notice_tz(self, partner):
        """Times in a notice are the shop's: the customer's zone, else the advisor's."""
        return self.with_context(tz=partner.tz or self.advisor_id.tz or self.env.user.tz or "Asia/Shanghai")

    def _autorepair_notify(self, kind, body, values=None):
        """Tell the order's customer ``body``, a service message of ``kind``.

        :return: ``"email"``, ``"wechat"``, ``"sms"``, or False when it was not
            sent (opted out, or no way to reach him: the chatter says so)
        """
        self.ensure_one()
        partner = self.partner_id
        if partner.sudo().service_opt_out:
            self.message_post(body=self.env._(
                "Not sent: the customer opted out of service messages. Tell him at the desk: %(text)s",
                text=body), subtype_xmlid="mail.mt_note")
            return False
        if partner.preferred_channel == "email" and partner.email:
            self.message_post(body=body, partner_ids=partner.ids, message_type="comment",
                              subtype_xmlid="mail.mt_comment")
            return "email"
        return self._autorepair_send_notice(kind, partner, body, values)

    # ------------------------------------------------------------------ notices

    def _autorepair_notify_appointment(self):
        """Confirm a booking to the customer: date, time and plate."""
        if self.env.context.get("install_mode"):
            return  # demo bookings loaded with the module: nobody to tell
        # the booking's consequence, whoever booked it (a care agent who cannot write orders)
        for order in self.sudo().filtered(lambda o: o.state == "draft" and o.appointment_start):
            values = order._autorepair_channel_values(order.partner_id)
            order._autorepair_notify("appointment", self.env._(
                "%(shop)s: your appointment for %(plate)s is booked on %(date)s at %(time)s. "
                "Your advisor: %(advisor)s.", shop=order.company_id.name, plate=values["plate"] or order.name,
                date=values["date"], time=values["time"], advisor=values["advisor"]), values)

    def _autorepair_notify_ready(self):
        """The final check passed: the car can be collected (RULEBOOK §3.10-11).
        Told whoever signed the check (an inspector who cannot write orders)."""
        for order in self.sudo():
            values = order._autorepair_channel_values(order.partner_id)
            order._autorepair_notify("car_ready", self.env._(
                "%(shop)s: your car %(plate)s is ready (%(order)s). You can collect it now; amount due: "
                "%(amount)s.", shop=order.company_id.name, plate=values["plate"] or order.name,
                order=order.name, amount=order.currency_id.format(order._autorepair_customer_amount())), values)

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders._autorepair_notify_appointment()
        return orders

    def write(self, vals):
        moved = self.browse()
        if vals.get("appointment_start"):
            start = fields.Datetime.to_datetime(vals["appointment_start"])
            # a booking moved by more than a minute is confirmed again; set once, it is told once
            moved = self.filtered(lambda o: o.state == "draft" and (
                not o.appointment_start or abs(o.appointment_start - start) > timedelta(minutes=1)))
        result = super().write(vals)
        moved._autorepair_notify_appointment()
        return result
