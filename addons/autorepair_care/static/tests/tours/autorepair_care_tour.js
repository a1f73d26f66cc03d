import { registry } from "@web/core/registry";

// A care agent's calls of the day: the first customer answers at once (one
// click in the list), the second is called with the script and books.
registry.category("web_tour.tours").add("autorepair_care_agent_calls", {
    steps: () => [
        {
            content: "Both calls are on today's list",
            trigger: '.o_data_row:contains("唐小龙") ~ .o_data_row:contains("宋佳"), .o_data_row:contains("宋佳") ~ .o_data_row:contains("唐小龙")',
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
            content: "Open the second call",
            trigger: '.o_data_row:contains("宋佳") td[name="partner_id"]',
            run: "click",
        },
        {
            content: "The script is filled in with the customer and the car",
            trigger: '.o_form_view div[name="script"]:contains("宋佳"):contains("川A77702")',
        },
        {
            content: "The customer wants an appointment",
            trigger: '.o_form_view button[name="action_log_outcome"]:contains("Book")',
            run: "click",
        },
        {
            content: "The appointment is proposed for tomorrow morning: confirm it",
            trigger: '.modal .o_field_widget[name="appointment_start"] input',
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
