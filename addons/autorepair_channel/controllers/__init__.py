from . import aliyun
