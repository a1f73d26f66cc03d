import { registry } from "@web/core/registry";
import { passAndRecordCheck } from "@autorepair_workshop/../tests/tours/check_steps";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// One car through the workshop (test_ui_service_order.py builds the data),
// in five tours, one per person: the advisor books, receives and quotes it and
// records the customer's signed approval; the technician does the work and the
// self-check; the team lead and the inspector sign the peer and final checks;
// the advisor settles it; once paid, he releases the car with its gate pass.

const PLATE = "川AT0518";
const CARD = `.o_kanban_record:contains(${PLATE})`;
const JOB = `.o_kanban_record:contains(${PLATE}):contains(更换机油机滤)`;

function openApp() {
    return stepUtils.goToAppSteps("autorepair_crm.menu_root", "Open After-Sales");
}

function openWorkshopMenu(menuXmlid, content) {
    return [
        {
            content: "Open the Workshop menu",
            trigger: '.o_main_navbar [data-menu-xmlid="autorepair_workshop.menu_workshop"]',
            run: "click",
        },
        {
            content,
            trigger: `.dropdown-item[data-menu-xmlid="${menuXmlid}"]`,
            run: "click",
        },
    ];
}

function openOrderFromBoard() {
    return [
        ...openWorkshopMenu("autorepair_workshop.autorepair_service_order_menu", "Open the Workshop Board"),
        {
            content: "Open the car's order",
            trigger: CARD,
            run: "click",
        },
        {
            content: "The order is open",
            // an input while the vehicle can be changed, a link afterwards
            trigger: `.o_form_view .o_field_widget[name=vehicle_id] input:value(${PLATE}), .o_form_view .o_field_widget[name=vehicle_id]:contains(${PLATE})`,
        },
    ];
}

function expectState(label) {
    return {
        content: `The order is ${label}`,
        trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains(${label})`,
    };
}

function selectInDropdown(fieldSelector, text, content) {
    return [
        {
            content,
            trigger: `${fieldSelector} input`,
            run: `edit ${text}`,
        },
        {
            content: `Pick ${text}`,
            trigger: `${fieldSelector} .o-autocomplete--dropdown-item:contains(${text})`,
            run: "click",
        },
    ];
}

// index: the new line's rank in the list, to wait for its own row (the
// previous one stays selected until the new row is rendered)
function addLine(index, lineType, name, quantity, price) {
    const row = `div[name=line_ids] .o_data_row:eq(${index})`;
    return [
        {
            content: `Add a line for ${name}`,
            trigger: "div[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The new line is being edited",
            trigger: `${row}.o_selected_row`,
        },
        {
            content: "Choose the kind of line",
            trigger: `${row} .o_field_widget[name=line_type] select`,
            run: `select "${lineType}"`,
        },
        {
            content: "Describe it",
            trigger: `${row} .o_field_widget[name=name] input`,
            run: `edit ${name}`,
        },
        {
            content: "Quantity or standard hours",
            trigger: `${row} .o_field_widget[name=quantity] input`,
            run: `edit ${quantity}`,
        },
        {
            content: "Unit price",
            trigger: `${row} .o_field_widget[name=price_unit] input`,
            run: `edit ${price}`,
        },
    ];
}

function recordCheck(buttonLabel, extraSteps = []) {
    return [
        {
            content: `Open the ${buttonLabel}`,
            trigger: `.o_form_view button[name=action_open_check]:contains(${buttonLabel})`,
            run: "click",
        },
        {
            content: "The checklist is laid out",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row",
        },
        ...passAndRecordCheck(extraSteps),
        {
            content: "Open the checks",
            trigger: ".o_notebook_headers a[name=checks]",
            run: "click",
        },
        {
            content: `The ${buttonLabel} is listed as passed`,
            trigger: `.o_field_widget[name=check_ids] .o_data_row:contains(${buttonLabel}):contains(Pass)`,
        },
    ];
}

registry.category("web_tour.tours").add("autorepair_crm_service_order_advisor_reception", {
    steps: () => {
        const tomorrow = luxon.DateTime.now().plus({ days: 1 }).toFormat("MM/dd/yyyy");
        return [
            ...openApp(),
            // a phone booking for tomorrow morning
            ...openWorkshopMenu("autorepair_workshop.autorepair_service_order_menu_calendar", "Open the appointments"),
            {
                content: "List the appointments",
                trigger: ".o_control_panel .o_switch_view.o_list",
                run: "click",
            },
            {
                content: "Book an appointment",
                trigger: ".o_list_button_add",
                run: "click",
            },
            ...selectInDropdown(".o_field_widget[name=vehicle_id]", PLATE, "Find the car by its plate"),
            {
                content: "The owner is the customer",
                trigger: ".o_field_widget[name=partner_id] input:value(周晓燕)",
            },
            {
                content: "Periodic maintenance",
                trigger: ".o_field_widget[name=need_type] select",
                run: 'select "periodic_maintenance"',
            },
            {
                content: "Tomorrow at ten",
                trigger: ".o_field_widget[name=appointment_start] input",
                run: `edit ${tomorrow} 10:00:00 && press Enter`,
            },
            ...selectInDropdown(".o_field_widget[name=bay_id]", "Tour Bay", "Reserve a bay"),
            {
                content: "What the customer asks for",
                trigger: ".o_field_widget[name=requested_work] textarea",
                run: "edit 35000公里保养",
            },
            ...stepUtils.saveForm(),
            expectState("Booked"),

            // the car arrives: reception on the Workshop Board
            ...openOrderFromBoard(),
            {
                content: "Identity checked",
                trigger: ".o_field_widget[name=identity_checked] input",
                run: "check",
            },
            {
                content: "Against the driving licence",
                trigger: ".o_field_widget[name=identity_document] select",
                run: 'select "driving_licence"',
            },
            {
                content: "Odometer reading",
                trigger: ".o_field_widget[name=odometer_in] input",
                run: "edit 35210",
            },
            {
                content: "Fuel level",
                trigger: ".o_field_widget[name=fuel_level] select",
                run: 'select "75"',
            },
            {
                content: "Receive the car",
                trigger: ".o_form_view button[name=action_receive]",
                run: "click",
            },
            expectState("Received"),

            // the quote: labour at the standard hours, the parts
            {
                content: "Open the quote",
                trigger: ".o_notebook_headers a[name=lines]",
                run: "click",
            },
            ...addLine(0, "labour", "更换机油机滤", "0.5", "150"),
            ...selectInDropdown(
                "div[name=line_ids] .o_data_row:eq(0) .o_field_widget[name=technician_id]",
                "Tour technician",
                "Assign the technician"
            ),
            ...addLine(1, "part", "机油 0W-20", "4", "88"),
            ...addLine(2, "part", "机油滤清器", "1", "65"),
            ...stepUtils.saveForm(),
            {
                content: "Send the quote to the customer",
                trigger: ".o_form_view button[name=action_send_quote]",
                run: "click",
            },
            expectState("Quoted"),

            // the customer approves at the desk and signs
            {
                content: "Record the customer's decision",
                trigger: ".o_form_view button[name=action_open_decision_wizard]",
                run: "click",
            },
            {
                content: "Every line is approved",
                trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(机油滤清器)",
            },
            {
                content: "The customer signs",
                trigger: ".modal .o_field_widget[name=signature] .o_signature",
                run: "click",
            },
            {
                content: "Draw the signature",
                trigger: ".modal:not(.o_inactive_modal) canvas.o_web_sign_signature",
                run() {
                    const canvas = this.anchor;
                    const box = canvas.getBoundingClientRect();
                    const pointer = (type, x, y) =>
                        new PointerEvent(type, {
                            bubbles: true,
                            cancelable: true,
                            pointerId: 1,
                            pointerType: "pen",
                            isPrimary: true,
                            buttons: 1,
                            pressure: 0.5,
                            clientX: box.left + x * box.width,
                            clientY: box.top + y * box.height,
                        });
                    canvas.dispatchEvent(pointer("pointerdown", 0.1, 0.6));
                    for (const [x, y] of [[0.3, 0.3], [0.5, 0.7], [0.7, 0.3]]) {
                        canvas.dispatchEvent(pointer("pointermove", x, y));
                    }
                    canvas.ownerDocument.dispatchEvent(pointer("pointerup", 0.9, 0.6));
                },
            },
            {
                content: "Adopt the signature",
                trigger: ".modal:not(.o_inactive_modal) .modal-footer button.btn-primary:enabled",
                run: "click",
            },
            {
                content: "The quote is signed",
                trigger: ".modal .o_field_widget[name=signature] img.o_signature",
            },
            {
                content: "Confirm the decision",
                trigger: ".modal button[name=action_confirm]",
                run: "click",
            },
            expectState("Approved"),
        ];
    },
});

registry.category("web_tour.tours").add("autorepair_crm_service_order_technician", {
    steps: () => [
        ...openApp(),
        ...openWorkshopMenu("autorepair_workshop.autorepair_service_order_line_menu_work", "Open my jobs"),
        {
            content: "Start the job",
            trigger: `${JOB} button[name=action_start_work]`,
            run: "click",
        },
        {
            content: "Finish the job",
            trigger: `${JOB}:has(button[name=action_pause_work]) button[name=action_finish_work]`,
            run: "click",
        },
        {
            content: "The job is done",
            trigger: `${JOB}:contains(Done):has(button[name=action_request_check])`,
        },
        ...openOrderFromBoard(),
        {
            content: "The work is done: on to the quality checks",
            trigger: ".o_form_view button[name=action_request_check]",
            run: "click",
        },
        expectState("Quality Check"),
        ...recordCheck("Self-Check"),
    ],
});

registry.category("web_tour.tours").add("autorepair_crm_service_order_peer_check", {
    steps: () => [...openApp(), ...openOrderFromBoard(), ...recordCheck("Peer Check")],
});

registry.category("web_tour.tours").add("autorepair_crm_service_order_final_check", {
    steps: () => [
        ...openApp(),
        ...openOrderFromBoard(),
        ...recordCheck("Final Check", [
            {
                content: "Road test distance",
                trigger: ".modal .o_field_widget[name=road_test_km] input",
                run: "edit 6",
            },
        ]),
        expectState("Ready for Delivery"),
    ],
});

registry.category("web_tour.tours").add("autorepair_crm_service_order_advisor_delivery", {
    steps: () => {
        const nextService = luxon.DateTime.now().plus({ months: 6 }).toFormat("MM/dd/yyyy");
        return [
            ...openApp(),
            ...openOrderFromBoard(),
            {
                content: "The next service is asked on the sheet, beside the Deliver button, not on a tab",
                trigger: ".o_form_sheet .o_field_widget[name=next_service_date]:not(.o_notebook *)",
            },
            {
                content: "Next service date",
                trigger: ".o_field_widget[name=next_service_date] input",
                run: `edit ${nextService} && press Enter`,
            },
            {
                content: "Next service mileage",
                trigger: ".o_field_widget[name=next_service_km] input",
                run: "edit 45000",
            },
            {
                content: "Old parts offered to the customer",
                trigger: ".o_field_widget[name=old_parts_offered] input",
                run: "check",
            },
            {
                content: "Not settled: the car cannot be released yet",
                trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_deliver]))",
            },
            {
                content: "Settle: create the invoice",
                trigger: ".o_form_view button[name=action_create_invoice]",
                run: "click",
            },
            {
                content: "The invoice is posted (numbered), awaiting payment",
                trigger: ".o_list_view .o_data_row:contains(INV/):contains(Not Paid)",
            },
        ];
    },
});

// the customer has paid at the cashier's: the advisor lets the car out
registry.category("web_tour.tours").add("autorepair_crm_service_order_advisor_release", {
    steps: () => [
        ...openApp(),
        ...openOrderFromBoard(),
        expectState("Ready for Delivery"),
        {
            content: "Release the paid car",
            trigger: ".o_form_view button[name=action_deliver]",
            run: "click",
        },
        expectState("Settled"),
        {
            content: "Its gate pass can be printed",
            trigger: ".o_form_view button[name=action_print_gate_pass]",
        },
    ],
});

registry.category("web_tour.tours").add("autorepair_crm_monthly_figures", {
    steps: () => [
        ...openApp(),
        ...openWorkshopMenu("autorepair_workshop.autorepair_service_report_month_menu", "Open the Monthly Figures"),
        {
            content: "The advisor's row, this year by default",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Tour advisor)",
        },
        {
            content: "The car's revenue (and average order value) in the row",
            trigger: ".o_pivot tbody tr:contains(Tour advisor) .o_pivot_cell_value:contains(492.00)",
        },
        {
            content: "The same figures as a graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
    ],
});
