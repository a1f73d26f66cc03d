import { registry } from "@web/core/registry";

// Steps shared by both managers: the dashboard of last month, each staff
// member a column; a counted rate reads with its % sign against the target,
// a figure with nothing counted reads "No data" and is not judged.
const agentColumn = ".o_kanban_group:has(.o_column_title:contains('Dash Agent'))";
const advisorColumn = ".o_kanban_group:has(.o_column_title:contains('Dash Advisor'))";

function dashboardSteps() {
    return [
        {
            content: "The home is the performance dashboard",
            trigger: ".o_breadcrumb:contains('Performance Dashboard')",
        },
        {
            content: "Last month is shown",
            trigger: ".o_searchview .o_facet_value:contains('Last Month')",
        },
        {
            content: "The agent's first-maintenance reminders: 50% against 100%, missed",
            trigger: `${agentColumn} .o_kanban_record:contains('First-Maintenance Reminder Rate'):contains('50.0%'):contains('≥ 100.0%'):contains('Target missed')`,
        },
        {
            content: "The agent's churn: nothing to count, no 0 and no verdict",
            trigger: `${agentColumn} .o_kanban_record:contains('Churn Rate'):contains('No data'):contains('≤ 20.0%'):not(:contains('Target missed')):not(:contains('Target met'))`,
        },
        {
            content: "The advisor who had no orders has his figures too, without data",
            trigger: `${advisorColumn} .o_kanban_record:contains('Appointment Rate'):contains('No data')`,
        },
    ];
}

function openMenu(section, item) {
    return [
        {
            content: `Open the ${section} menu`,
            trigger: `.o_main_navbar .o_menu_sections button:contains('${section}')`,
            run: "click",
        },
        {
            content: `Open ${item}`,
            trigger: `.o-dropdown--menu .dropdown-item:contains('${item}')`,
            run: "click",
        },
    ];
}

// The general manager reads last month's figures on his home dashboard,
// then approves the statement the service manager submitted.
registry.category("web_tour.tours").add("autorepair_kpi_general_manager_tour", {
    steps: () => [
        ...dashboardSteps(),
        ...openMenu("Performance", "Monthly Statements"),
        {
            content: "The advisor's statement is there too",
            trigger: ".o_data_row:contains('Dash Advisor')",
        },
        {
            content: "Open the agent's submitted statement",
            trigger: ".o_data_row:contains('Dash Agent'):contains('Submitted') td.o_data_cell[name='user_id']",
            run: "click",
        },
        {
            content: "Its figures: the missed rate with its % sign",
            trigger: ".o_field_one2many[name='value_ids'] .o_data_row:contains('First-Maintenance Reminder Rate'):contains('50.0%')",
        },
        {
            content: "and the churn without data",
            trigger: ".o_field_one2many[name='value_ids'] .o_data_row:contains('Churn Rate'):contains('No data')",
        },
        {
            content: "Approve",
            trigger: "button[name='action_approve']",
            run: "click",
        },
        {
            content: "Approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='approved']",
        },
    ],
});

// The service manager reads the dashboard, closes last month again (the
// figures of late entries) and submits the advisor's statement.
registry.category("web_tour.tours").add("autorepair_kpi_service_manager_tour", {
    steps: () => [
        ...dashboardSteps(),
        {
            content: "Only the targets missed",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter on missed targets",
            trigger: ".o_filter_menu .o_menu_item:contains('Target Missed')",
            run: "click",
        },
        {
            content: "The missed reminder rate stays",
            trigger: `${agentColumn} .o_kanban_record:contains('First-Maintenance Reminder Rate')`,
        },
        {
            content: "The figures without data go",
            trigger: `.o_kanban_renderer:not(:has(.o_kanban_record:contains('No data')))`,
        },
        ...openMenu("Performance", "Close a Month"),
        {
            content: "Last month is proposed: compute it",
            trigger: ".modal button[name='action_compute']",
            run: "click",
        },
        {
            content: "A statement for every staff member: the agent",
            trigger: ".o_list_view .o_data_row:contains('Dash Agent')",
        },
        {
            content: "Open the advisor's statement",
            trigger: ".o_list_view .o_data_row:contains('Dash Advisor') td.o_data_cell[name='user_id']",
            run: "click",
        },
        {
            content: "His figures read no data, not 0",
            trigger: ".o_field_one2many[name='value_ids'] .o_data_row:contains('Appointment Rate'):contains('No data')",
        },
        {
            content: "Submit to the general manager",
            trigger: "button[name='action_submit']",
            run: "click",
        },
        {
            content: "Submitted",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='submitted']",
        },
    ],
});
