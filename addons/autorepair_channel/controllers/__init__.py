from . import tencent
