from . import (
    autorepair_kpi_approval_mixin,
    autorepair_kpi_statement_detail_mixin,
    autorepair_kpi_definition,
    autorepair_kpi_rule,
    autorepair_kpi_statement,
    autorepair_kpi_statement_line,
    autorepair_kpi_value,
    autorepair_kpi_plan,
    autorepair_kpi_plan_line,
    res_company,
    res_config_settings,
    res_users,
)
