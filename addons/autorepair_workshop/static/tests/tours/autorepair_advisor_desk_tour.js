import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The advisor's morning from the workshop board (test_ui_advisor_desk.py builds
// the data): what the board, the calendar and the order show him at a glance,
// then the first car of the day received and quoted.

const TODAY = "川A0930D"; // booked for 09:30 today
const LATER = "川A1630E"; // booked for tomorrow
const TODAY_CARD = `.o_kanban_record:contains(${TODAY})`;

function printedOnce(text) {
    return function () {
        const count = this.anchor.innerText.split(text).length - 1;
        if (count !== 1) {
            throw new Error(`"${text}" is printed ${count} times: ${this.anchor.innerText}`);
        }
    };
}

registry.category("web_tour.tours").add("autorepair_workshop_advisor_morning", {
    steps: () => [
        // the board
        {
            content: "Today's booking on the board: time, plate, customer, need and state",
            trigger: `${TODAY_CARD}:contains(09:30):contains(周一鸣):contains(Periodic Maintenance):contains(Booked)`,
            run: printedOnce(TODAY),
        },
        {
            content: "A booking has no quote yet: no amount on its card",
            trigger: `${TODAY_CARD}:not(:has([name=amount_total]))`,
        },
        {
            content: "Tomorrow's booking is in the workshop too",
            trigger: `.o_kanban_record:contains(${LATER})`,
        },
        {
            content: "Open the filters",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Only today's appointments",
            // (no apostrophe in a selector)
            trigger: ".o_filter_menu .o_menu_item:contains(Appointments):not(.selected)",
            run: "click",
        },
        {
            content: "Both filters apply, each its own facet (ANDed)",
            trigger: ".o_searchview_facet:contains(Appointments):not(:contains(In the Workshop))",
        },
        {
            content: "In the workshop is still on",
            trigger: ".o_searchview_facet:contains(In the Workshop):not(:contains(Appointments))",
        },
        {
            content: "Today's filter narrows the board: tomorrow's car is gone",
            trigger: `.o_kanban_renderer:has(${TODAY_CARD}):not(:has(.o_kanban_record:contains(${LATER})))`,
        },
        // the calendar
        {
            content: "Switch to the calendar",
            trigger: ".o_control_panel .o_switch_view.o_calendar",
            run: "click",
        },
        {
            content: "The event says time, plate, customer and need",
            trigger: `.o_calendar_view .fc-event:contains(09:30):contains(${TODAY}):contains(周一鸣):contains(Periodic Maintenance)`,
        },
        {
            content: "Back to the board",
            trigger: ".o_control_panel .o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Open today's first car",
            trigger: TODAY_CARD,
            run: "click",
        },
        // the order
        {
            content: "The order shows the car's VIN",
            trigger: ".o_form_view .o_field_widget[name=vin_sn]:contains(LFV2A2BH)",
        },
        {
            content: "The order shows the customer's phone, to call him",
            trigger: ".o_form_view .o_field_widget[name=partner_phone]:contains(13900139930)",
        },
        {
            content: "Identity checked",
            trigger: ".o_field_widget[name=identity_checked] input",
            run: "click",
        },
        {
            content: "Against his ID card",
            trigger: ".o_field_widget[name=identity_document] select",
            run: 'select "id_card"',
        },
        {
            content: "Odometer reading",
            trigger: ".o_field_widget[name=odometer_in] input",
            run: "edit 30500",
        },
        {
            content: "Receive the car",
            trigger: ".o_form_view button[name=action_receive]",
            run: "click",
        },
        {
            content: "The car is received",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Received)",
        },
        // the quote grid: what the advisor edits, the rest in the line's form
        {
            content: "Open the quote",
            trigger: ".o_notebook_headers a[name=lines]",
            run: "click",
        },
        {
            content: "The grid shows type, part, description, quantity, price, amount and decision",
            trigger:
                "div[name=line_ids] thead:has(th[data-name=line_type]):has(th[data-name=name]):has(th[data-name=product_id])" +
                ":has(th[data-name=quantity]):has(th[data-name=price_unit]):has(th[data-name=price_total])" +
                ":has(th[data-name=decision])",
        },
        {
            content: "...and not the alternative, billing or work columns",
            trigger:
                "div[name=line_ids] thead:not(:has(th[data-name=alt_type])):not(:has(th[data-name=bill_to]))" +
                ":not(:has(th[data-name=work_state])):not(:has(th[data-name=risk_note]))",
        },
        {
            content: "Add a line",
            trigger: "div[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Its description",
            trigger: "div[name=line_ids] .o_selected_row .o_field_widget[name=name] input",
            run: "edit 更换机油机滤",
        },
        {
            content: "The standard hours",
            trigger: "div[name=line_ids] .o_selected_row .o_field_widget[name=quantity] input",
            run: "edit 0.5",
        },
        {
            content: "The rate",
            trigger: "div[name=line_ids] .o_selected_row .o_field_widget[name=price_unit] input",
            run: "edit 150",
        },
        ...stepUtils.saveForm(),
        {
            content: "Open the line's form for the rest",
            trigger: "div[name=line_ids] .o_data_row:contains(更换机油机滤) .o_list_record_open_form_view button",
            run: "click",
        },
        {
            content: "The line's form has the alternative and the billing",
            trigger:
                ".o_form_view:has(.o_field_widget[name=alt_type]):has(.o_field_widget[name=bill_to])" +
                " .o_field_widget[name=name] input:value(更换机油机滤)",
        },
        {
            content: "Back to the order",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Send the quote",
            trigger: ".o_form_view button[name=action_send_quote]",
            run: "click",
        },
        {
            content: "The car is quoted",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Quoted)",
        },
        {
            content: "Back on the quote",
            trigger: ".o_notebook_headers a[name=lines]",
            run: "click",
        },
        {
            content: "The quote is numbered",
            trigger: ".o_field_widget[name=quote_ids] .o_data_row:contains(Quote 1)",
        },
    ],
});
