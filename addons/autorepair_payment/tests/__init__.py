from . import test_wechatpay
from . import test_alipay
from . import test_provider_security
from . import test_i18n
