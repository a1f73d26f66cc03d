from . import tencent
from . import wechat
from . import aliyun
