import { registry } from "@web/core/registry";

// A 10,000 km service from the catalogue to the margin (test_ui_parts_package.py
// builds the received car): the advisor quotes the package due, the storekeeper
// issues its parts with their numbers scanned, the order shows what it earned.

const LINES = ".o_field_widget[name=line_ids]";
const OIL = "G052577M4";
const FILTER = "06L115562B";

registry.category("web_tour.tours").add("autorepair_workshop_package_quote", {
    steps: () => [
        {
            content: "The order names the package due for the car",
            trigger: ".o_field_widget[name=package_due_id]:contains(10,000公里)",
        },
        {
            content: "The quote",
            trigger: ".o_notebook .nav-link:contains(Quote and Work)",
            run: "click",
        },
        {
            content: "Add the package",
            trigger: "button[name=action_open_package_wizard]",
            run: "click",
        },
        {
            content: "The package due for the car",
            trigger: ".modal .o_field_widget[name=package_due_id]:contains(小保养)",
        },
        {
            content: "Its oil, filter and labour listed",
            trigger: ".modal .o_field_widget[name=package_line_ids] .o_data_row:contains(更换机油机滤)",
        },
        {
            content: "Add to the quote",
            trigger: ".modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "The oil, by its part number, and what the store holds of it",
            trigger: `body:not(:has(.modal)) ${LINES} .o_data_row:contains(${OIL}) td[name=qty_available]:contains(120)`,
        },
        {
            content: "The oil filter",
            trigger: `${LINES} .o_data_row:contains(${FILTER})`,
        },
        {
            content: "The labour from the catalogue, marked as the package's price",
            trigger: `${LINES} .o_data_row:contains(更换机油机滤):contains(小保养)`,
        },
        {
            content: "The package price before tax",
            trigger: ".o_field_widget[name=amount_untaxed]:contains(588.00)",
        },
        {
            content: "Send the quote to the customer",
            trigger: ".o_form_view button[name=action_send_quote]",
            run: "click",
        },
        {
            content: "Awaiting the customer's approval",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Quoted)",
        },
    ],
});

function scan(code, quantity) {
    const row = `.modal .o_field_widget[name=line_ids] .o_data_row:contains(${code})`;
    return [
        {
            content: `Scan ${code}`,
            trigger: `${row} td[name=scanned_code]`,
            run: "click",
        },
        {
            content: `${code} as printed on the box`,
            trigger: `${row} [name=scanned_code] input`,
            run: `edit ${code}`,
        },
        {
            content: `${quantity} handed over`,
            trigger: `${row} td[name=quantity]`,
            run: "click",
        },
        {
            content: `Quantity ${quantity}`,
            trigger: `${row} [name=quantity] input`,
            run: `edit ${quantity}`,
        },
    ];
}

registry.category("web_tour.tours").add("autorepair_workshop_package_issue", {
    steps: () => [
        {
            content: "Issue the approved parts",
            trigger: ".o_form_view button[name=action_open_parts_issue]",
            run: "click",
        },
        {
            content: "The oil is to issue: 5 litres",
            trigger: `.modal .o_data_row:contains(${OIL}) td[name=qty_to_issue]:contains(5)`,
        },
        ...scan(OIL, 5),
        ...scan(FILTER, 1),
        {
            content: "Issue",
            trigger: ".modal-footer button:contains(Issue)",
            run: "click",
        },
        {
            content: "The quote and its parts",
            trigger: "body:not(:has(.modal)) .o_notebook .nav-link:contains(Quote and Work)",
            run: "click",
        },
        {
            content: "The oil is issued",
            trigger: `${LINES} .o_data_row:contains(${OIL}) td[name=qty_issued]:contains(5)`,
        },
        {
            content: "The filter is issued",
            trigger: `${LINES} .o_data_row:contains(${FILTER}) td[name=qty_issued]:contains(1)`,
        },
    ],
});

registry.category("web_tour.tours").add("autorepair_workshop_package_margin", {
    steps: () => [
        {
            content: "What the order cost and earned",
            trigger: ".o_notebook .nav-link:contains(Cost and Margin)",
            run: "click",
        },
        {
            content: "The parts at their average cost: 5 x 55.00 + 38.00",
            trigger: ".o_field_widget[name=parts_cost]:contains(313.00)",
        },
        {
            content: "Sold for the package price",
            trigger: ".o_field_widget[name=revenue]:contains(588.00)",
        },
        {
            content: "The margin",
            trigger: ".o_field_widget[name=margin]:contains(275.00)",
        },
    ],
});
