import { registry } from "@web/core/registry";

// The storekeeper (仓管员) at the store's counter, on the demo order being worked
// on (test_ui_parts_issue.py): the order tells him the front brake pads are
// short, he scans the wrong part first and is stopped, then hands over the one
// on the shelf; the line shows it issued, the rest still missing.

const PADS = ".o_field_widget[name=line_ids] .o_data_row:contains(前刹车片)";
const WIZARD_PADS = ".modal .o_field_widget[name=line_ids] .o_data_row:contains(3Q0698151A)";

registry.category("web_tour.tours").add("autorepair_workshop_storekeeper_issue", {
    steps: () => [
        {
            content: "The order says what the store is missing: 1 of the 2 front brake pads",
            trigger: ".alert-warning[name=parts_missing]:contains(3Q0698151A):contains(1 missing of 2)",
        },
        {
            content: "The order's lines",
            trigger: ".o_notebook .nav-link:contains(Quote and Work)",
            run: "click",
        },
        {
            content: "One of the line's two missing: the other is reserved",
            trigger: `${PADS} td[name=qty_missing]:contains(1)`,
        },
        {
            content: "Issue the parts",
            trigger: "button[name=action_open_parts_issue]",
            run: "click",
        },
        {
            content: "The pads are to issue, approved 2",
            trigger: `${WIZARD_PADS} td[name=qty_to_issue]:contains(2)`,
        },
        {
            content: "Scan the part on the counter",
            trigger: `${WIZARD_PADS} td[name=scanned_code]`,
            run: "click",
        },
        {
            content: "The oil filter's number, by mistake",
            trigger: `${WIZARD_PADS} [name=scanned_code] input`,
            run: "edit 06L115562B",
        },
        {
            content: "One handed over",
            trigger: `${WIZARD_PADS} td[name=quantity]`,
            run: "click",
        },
        {
            content: "Quantity 1",
            trigger: `${WIZARD_PADS} [name=quantity] input`,
            run: "edit 1",
        },
        {
            content: "Issue",
            trigger: ".modal-footer button:contains(Issue)",
            run: "click",
        },
        {
            content: "Refused: the number is not the line's part",
            trigger: ".modal-body:contains(does not match)",
        },
        {
            content: "Close the message",
            trigger: ".modal:has(.modal-body:contains(does not match)) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Scan the pads themselves",
            trigger: `${WIZARD_PADS} td[name=scanned_code]`,
            run: "click",
        },
        {
            content: "Their number as printed on the box",
            trigger: `${WIZARD_PADS} [name=scanned_code] input`,
            run: "edit 3Q0 698 151 A",
        },
        {
            content: "Issue",
            trigger: ".modal-footer button:contains(Issue)",
            run: "click",
        },
        {
            content: "Back on the order: 1 issued",
            trigger: `body:not(:has(.modal)) ${PADS} td[name=qty_issued]:contains(1)`,
        },
        {
            content: "Still 1 missing, to order",
            trigger: ".alert-warning[name=parts_missing]:contains(1 missing of 2)",
        },
        {
            content: "The storekeeper can order it",
            trigger: "button[name=action_order_missing_parts]",
        },
    ],
});
