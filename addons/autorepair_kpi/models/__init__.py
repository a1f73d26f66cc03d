from . import (
    autorepair_kpi_definition,
    autorepair_kpi_rule,
    autorepair_kpi_statement,
    autorepair_kpi_statement_line,
    autorepair_kpi_value,
    res_config_settings,
)
