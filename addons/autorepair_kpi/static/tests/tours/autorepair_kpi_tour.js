import { registry } from "@web/core/registry";

// The manager reviews a draft statement: exempts the penalty with a reason
// and submits the month.
registry.category("web_tour.tours").add("autorepair_kpi_review_tour", {
    steps: () => [
        {
            content: "Open the draft statement of the agent",
            trigger: ".o_data_row td.o_data_cell:contains('KPI Agent')",
            run: "click",
        },
        {
            content: "Read the figures",
            trigger: ".o_notebook .o_field_one2many[name='value_ids'] .o_data_row",
        },
        {
            content: "Go to the rewards and penalties",
            trigger: ".o_notebook a.nav-link[name='lines']",
            run: "click",
        },
        {
            content: "Open the penalty line",
            trigger: ".o_field_one2many[name='line_ids'] .o_data_row .o_data_cell[name='quantity']",
            run: "click",
        },
        {
            content: "Exempt it",
            trigger: ".o_field_one2many[name='line_ids'] .o_selected_row .o_field_widget[name='is_exempt'] input",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".o_field_one2many[name='line_ids'] .o_selected_row .o_field_widget[name='exempt_reason'] textarea",
            run: "edit Customer abroad all month",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Submit to the general manager",
            trigger: ".o_form_saved button[name='action_submit']",
            run: "click",
        },
        {
            content: "Submitted",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='submitted']",
        },
    ],
});

// The general manager approves and locks the submitted statement.
registry.category("web_tour.tours").add("autorepair_kpi_approve_tour", {
    steps: () => [
        {
            content: "Open the submitted statement",
            trigger: ".o_data_row td.o_data_cell:contains('KPI Agent')",
            run: "click",
        },
        {
            content: "Approve",
            trigger: "button[name='action_approve']",
            run: "click",
        },
        {
            content: "Lock the month",
            trigger: "button[name='action_lock']",
            run: "click",
        },
        {
            content: "Locked",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='locked']",
        },
    ],
});

// The care manager submits the improvement plan written from the month's figures.
registry.category("web_tour.tours").add("autorepair_kpi_plan_submit_tour", {
    steps: () => [
        {
            content: "Open the draft plan",
            trigger: ".o_data_row td.o_data_cell[name='department']",
            run: "click",
        },
        {
            content: "Read the actions planned",
            trigger: ".o_notebook a.nav-link[name='actions']",
            run: "click",
        },
        {
            content: "An action with its owner",
            trigger: ".o_field_one2many[name='line_ids'] .o_data_row .o_data_cell[name='user_id']",
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

// The general manager approves the submitted plan.
registry.category("web_tour.tours").add("autorepair_kpi_plan_approve_tour", {
    steps: () => [
        {
            content: "Open the plan to approve",
            trigger: ".o_data_row td.o_data_cell[name='department']",
            run: "click",
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
