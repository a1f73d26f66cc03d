import { registry } from "@web/core/registry";

// A care agent's morning from his home, today's calls: each call shows the
// customer's plate (the lost customer's too), none is late on day one, the
// script is read in full in the call, not in a cut column. The first customer
// answers at once (one click in the list), the second, a lost customer, is
// called with the script and books.
registry.category("web_tour.tours").add("autorepair_care_agent_calls", {
    steps: () => [
        {
            content: "Today's calls: the first maintenance call shows the car's plate",
            trigger: '.o_list_renderer .o_data_row:contains("唐小龙"):contains("川A77701")',
        },
        {
            content: "The lost customer's call shows the plate of her car",
            trigger: '.o_list_renderer .o_data_row:contains("宋佳"):contains("川A77702"):contains("Lost Customer")',
        },
        {
            content: "No call is late on the day it reached the list, and no script column is cut",
            trigger: '.o_list_renderer:not(:has(.o_data_row.text-danger)):not(:has(th[data-name="script"]))',
        },
        {
            content: "The first customer answers: log it in one click",
            trigger: '.o_data_row:contains("唐小龙") button[name="action_reached"]',
            run: "click",
        },
        {
            content: "The call leaves the list",
            trigger: '.o_list_renderer:not(:has(.o_data_row:contains("唐小龙"))) .o_data_row:contains("宋佳")',
        },
        {
            content: "Open the lost customer's call",
            trigger: '.o_data_row:contains("宋佳") td[name="partner_id"]',
            run: "click",
        },
        {
            content: "The call shows her car",
            trigger: '.o_form_view .o_field_widget[name="license_plate"]:contains("川A77702")',
        },
        {
            content: "The script is there in full, filled in with the customer and the car",
            trigger: '.o_form_view div[name="script"]:contains("宋佳"):contains("川A77702"):contains("book a check")',
        },
        {
            content: "The customer wants an appointment",
            trigger: '.o_form_view button[name="action_log_outcome"]:contains("Book")',
            run: "click",
        },
        {
            content: "The appointment is proposed for tomorrow morning, for her car",
            trigger: '.modal .o_field_widget[name="vehicle_id"] input',
        },
        {
            content: "Log the outcome",
            trigger: '.modal button:contains("Log Outcome")',
            run: "click",
        },
        {
            content: "The task is booked, with its appointment",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Booked")',
        },
        {
            content: "The appointment is linked",
            trigger: '.o_form_view button[name="action_view_service_order"]',
        },
    ],
});

// The care manager's morning on the care board: every call has its agent
// (nothing waits unassigned, the customer nobody looked after included), with
// the plate of the car, and a call opens with its agent and its script.
registry.category("web_tour.tours").add("autorepair_care_manager_board", {
    steps: () => [
        {
            content: "The board: the calls to make, with the plate",
            trigger: '.o_kanban_renderer .o_kanban_record:contains("王芳"):contains("川A77703")',
        },
        {
            content: "As a list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The call of the customer nobody looked after has an agent",
            trigger: '.o_list_renderer .o_data_row:contains("王芳"):contains("川A77703") td[name="user_id"]:contains("刘芳")',
        },
        {
            content: "Look for calls nobody makes",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Unassigned",
            trigger: '.o_filter_menu .o_menu_item:contains("Unassigned")',
            run: "click",
        },
        {
            content: "None",
            trigger: '.o_searchview_facet:contains("Unassigned")',
        },
        {
            content: "Not one call waits without its agent",
            trigger: '.o_action:has(.o_searchview_facet:contains("Unassigned")) .o_list_renderer:not(:has(.o_data_row))',
        },
        {
            content: "Back to the calls",
            trigger: '.o_searchview_facet:contains("Unassigned") .o_facet_remove',
            run: "click",
        },
        {
            content: "Open the call",
            trigger: '.o_data_row:contains("王芳") td[name="partner_id"]',
            run: "click",
        },
        {
            content: "The call: its script, filled in for the customer, the car and its agent",
            trigger: '.o_form_view div[name="script"]:contains("王芳"):contains("川A77703"):contains("刘芳")',
        },
    ],
});
