from . import autorepair_service_report
