import { registry } from "@web/core/registry";

// A care agent takes a complaint on the hotline, answers it, records the
// cause and the corrective action, and closes it after the confirmation call.
registry.category("web_tour.tours").add("autorepair_complaint_phone_to_closure", {
    steps: () => [
        {
            content: "New complaint",
            trigger: ".o_control_panel .o-kanban-button-new, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "What it is about",
            trigger: '.o_field_widget[name="subject"] input',
            run: "edit 空调异响",
        },
        {
            content: "Who complains",
            trigger: '.o_field_widget[name="partner_id"] input',
            run: "edit 王小明",
        },
        {
            trigger: '.o-autocomplete--dropdown-menu .dropdown-item:contains("王小明")',
            run: "click",
        },
        {
            content: "The solution proposed on the phone",
            trigger: '.o_field_widget[name="response_note"] textarea',
            run: "edit 明天上午免费检查空调",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Record the response",
            trigger: 'button[name="action_respond"]',
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("In Progress")',
        },
        {
            content: "Root cause tab",
            trigger: '.o_notebook .nav-link:contains("Root Cause")',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="root_cause_category"] select',
            run: 'select "diagnosis"',
        },
        {
            trigger: '.o_field_widget[name="root_cause"] textarea',
            run: "edit 鼓风机轴承磨损未在保养时发现",
        },
        {
            content: "Add a corrective action",
            trigger: '.o_field_widget[name="action_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="action_ids"] .o_data_row .o_field_widget[name="name"] input',
            run: "edit 技师诊断培训",
        },
        {
            trigger: '.o_field_widget[name="action_ids"] .o_data_row .o_field_widget[name="user_id"] input',
            run: "edit 客服",
        },
        {
            trigger: '.o-autocomplete--dropdown-menu .dropdown-item:contains("客服")',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="action_ids"] .o_data_row .o_field_widget[name="date_due"] input',
            run: "edit 12/31/2026",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Solved on our side: call the customer",
            trigger: 'button[name="action_request_confirmation"]',
            run: "click",
        },
        {
            content: "The customer confirms on the phone",
            trigger: 'button[name="action_customer_satisfied"]',
            run: "click",
        },
        {
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Closed")',
        },
    ],
});

// The care manager's complaints: one logged at 06:04 on a Saturday morning
// is due for its first response at 10:30 (the dealer opens at 08:30 every day).
registry.category("web_tour.tours").add("autorepair_complaint_deadline_in_dealer_hours", {
    steps: () => [
        {
            content: "The complaints, as a list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The early complaint is due at 10:30 the same morning",
            trigger: '.o_data_row:contains("周六早上投诉") td[name="first_response_deadline"]:contains("10:30")',
        },
        {
            content: "Open it",
            trigger: '.o_data_row:contains("周六早上投诉") td[name="subject"]',
            run: "click",
        },
        {
            content: "Its first response is due at 10:30",
            trigger: '.o_form_view .o_field_widget[name="first_response_deadline"]:contains("10:30")',
        },
    ],
});
