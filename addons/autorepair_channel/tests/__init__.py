from . import test_foundation
from . import test_i18n
from . import test_sms_tencent
from . import test_wechat
from . import test_sms_aliyun
