{
    "name": "Autorepair Payment: WeChat Pay and Alipay",
    "summary": "The customer pays his invoice from the portal by WeChat Pay (Native QR, 微信支付) "
    "or Alipay (当面付 QR, 支付宝) as Odoo payment providers; notifications verified, payments reconciled",
    "version": "18.0.1.0.0",
    "category": "Accounting/Payment Providers",
    "author": "autorepair",
    "website": "https://github.com/autorepair/autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_workshop", "account_payment"],
    "external_dependencies": {"python": ["wechatpayv3", "python-alipay-sdk"]},
    "data": [
        "views/payment_provider_views.xml",
        "views/payment_autorepair_templates.xml",
        "data/payment_provider_data.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
