from odoo.addons.payment import reset_payment_provider, setup_provider

from . import controllers, models

PROVIDER_CODES = ("wechatpay", "alipay")


def post_init_hook(env):
    for code in PROVIDER_CODES:
        setup_provider(env, code)


def uninstall_hook(env):
    for code in PROVIDER_CODES:
        reset_payment_provider(env, code)
