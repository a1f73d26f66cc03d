"""Consent per purpose: the marketing consent, opt-out and resident IDs on
file before the consent history existed become its first lines, so that the
state computed from the history is the state the dealer had recorded."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        INSERT INTO autorepair_consent (partner_id, company_id, purpose, granted, date, source, channel, user_id,
                                        create_uid, create_date, write_uid, write_date)
        SELECT p.id, p.company_id, d.purpose, d.granted, COALESCE(d.day, p.write_date::date, CURRENT_DATE),
               COALESCE(d.source, 'desk'),
               CASE COALESCE(d.source, 'desk') WHEN 'form' THEN 'paper' WHEN 'desk' THEN 'in_person'
                    ELSE d.source END,
               %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM res_partner p
          CROSS JOIN LATERAL (VALUES
                ('marketing', TRUE, p.marketing_consent_date, p.marketing_consent_source,
                 COALESCE(p.marketing_consent, FALSE) AND NOT COALESCE(p.marketing_opt_out, FALSE)),
                ('marketing', FALSE, NULL::date, NULL::varchar, COALESCE(p.marketing_opt_out, FALSE)),
                ('resident_id', TRUE, NULL::date, NULL::varchar, p.resident_id_number IS NOT NULL)
          ) AS d(purpose, granted, day, source, applies)
         WHERE d.applies
           AND NOT EXISTS (SELECT 1 FROM autorepair_consent c WHERE c.partner_id = p.id AND c.purpose = d.purpose)
    """, {"uid": SUPERUSER_ID})
    env = api.Environment(cr, SUPERUSER_ID, {})
    partners = env["res.partner"].search([("consent_ids", "!=", False)])
    for fname in ("marketing_consent", "marketing_consent_date", "marketing_consent_source", "marketing_opt_out",
                  "service_opt_out", "resident_id_consent"):
        env.add_to_compute(env["res.partner"]._fields[fname], partners)
    partners.flush_recordset()
    partners.filtered("marketing_opt_out")._consent_sync_blacklists(listed=True)
