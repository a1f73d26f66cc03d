from . import test_foundation
from . import test_sms_aliyun
