from . import autorepair_kpi_close
