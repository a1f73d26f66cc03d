{
    "name": "Autorepair Channels",
    "summary": "Customer notices of Chinese dealers through domestic SMS providers (Aliyun, Tencent Cloud) "
    "and the dealer's WeChat official account",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "author": "autorepair",
    "website": "https://github.com/autorepair/autorepair",
    "license": "LGPL-3",
    "depends": ["autorepair_crm", "sms"],
    "external_dependencies": {
        "python": ["alibabacloud-dysmsapi20170525", "tencentcloud-sdk-python-sms", "wechatpy"],
    },
    "data": [
        "security/ir.model.access.csv",
        "security/autorepair_channel_rules.xml",
        "data/ir_cron_data.xml",
        "data/autorepair_wechat_cron.xml",
        "views/autorepair_channel_template_views.xml",
        "views/res_config_settings_views.xml",
        "views/autorepair_wechat_views.xml",
        "views/menus.xml",
    ],
    "installable": True,
    "application": False,
}
