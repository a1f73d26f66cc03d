from . import tencent
from . import wechat
