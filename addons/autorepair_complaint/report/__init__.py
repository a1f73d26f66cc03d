from . import autorepair_complaint_report
