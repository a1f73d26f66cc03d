from . import wechat
