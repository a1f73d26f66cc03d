import { registry } from "@web/core/registry";
import { download } from "@web/core/network/download";
import { patch } from "@web/core/utils/patch";

// The cashier at the desk (test_ui_cashier.py builds the data): a settled order of
// 805.00, paid 500 by WeChat Pay (with its transaction number) and the rest in cash
// with change, then its settlement statement printed; the advisor then releases the
// paid car and prints its gate pass (出门证).

// a printed report is asked of /report/download: the tour notes its name on the
// page instead of saving the file, so that a step can wait for it
function watchPrints() {
    document.body.dataset.autorepairPrinted = "";
    patch(download, {
        _download(options) {
            const [url] = JSON.parse(options.data.data);
            document.body.dataset.autorepairPrinted += ` ${url.split("?")[0]}`;
            return Promise.resolve();
        },
    });
}

function printReport(name) {
    return [
        {
            content: "Open the actions",
            trigger: ".o_form_view .o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Open Print",
            trigger: ".o-dropdown--menu button:has(i.fa-print)",
            run: "click",
        },
        {
            content: `Print the ${name}`,
            trigger: `.o-dropdown--menu .o_menu_item:contains(${name})`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("autorepair_workshop_cashier_desk", {
    steps: () => [
        {
            content: "The settled order is open",
            trigger: ".o_form_view .o_field_widget[name=payment_state]:contains(Not Paid)",
            run: watchPrints,
        },
        {
            content: "Take the customer's payment",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_payment_wizard]",
            run: "click",
        },
        {
            content: "The amount due shows",
            trigger: ".modal .o_field_widget[name=amount_due]:contains(805.00)",
        },
        {
            content: "A first method",
            trigger: ".modal .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "WeChat Pay",
            trigger: ".modal .o_selected_row .o_field_widget[name=journal_id] input",
            run: "edit WeChat",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(WeChat Pay)",
            run: "click",
        },
        {
            content: "The new line offers the whole amount: 500 of it by WeChat Pay",
            trigger: ".modal .o_selected_row .o_field_widget[name=amount] input",
            run: "edit 500",
        },
        {
            content: "The transaction number of the customer's WeChat payment screen",
            trigger: ".modal .o_selected_row .o_field_widget[name=reference] input",
            run: "edit 4200002026120299998888777766",
        },
        {
            content: "A second method",
            trigger: ".modal .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Cash, on the new second line",
            trigger: ".modal .o_data_row + .o_data_row.o_selected_row .o_field_widget[name=journal_id] input",
            run: "edit Cash",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Cash)",
            run: "click",
        },
        {
            content: "The rest, 305, in cash",
            trigger: ".modal .o_data_row + .o_data_row.o_selected_row .o_field_widget[name=amount] input",
            run: "edit 305",
        },
        {
            content: "The customer hands over 400",
            trigger: ".modal .o_selected_row .o_field_widget[name=cash_tendered] input",
            run: "edit 400",
        },
        {
            content: "Leave the line",
            trigger: ".modal .o_field_widget[name=amount_due]",
            run: "click",
        },
        {
            content: "Change to give: 95",
            trigger: ".modal .o_field_widget[name=change_total]:contains(95.00)",
        },
        {
            content: "Nothing left due",
            trigger: ".modal .o_field_widget[name=amount_left]:contains(0.00)",
        },
        {
            content: "Register the payments",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is paid",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=payment_state]:contains(Paid):not(:contains(Not))",
        },
        ...printReport("Settlement Statement"),
        {
            content: "The statement went to the printer",
            trigger: "body[data-autorepair-printed*='report_service_order_statement']",
        },
    ],
});

registry.category("web_tour.tours").add("autorepair_workshop_advisor_release", {
    steps: () => [
        {
            content: "The settled order is paid",
            trigger: ".o_form_view .o_field_widget[name=payment_state]:contains(Paid):not(:contains(Not))",
            run: watchPrints,
        },
        {
            content: "Release the car",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_deliver]",
            run: "click",
        },
        {
            content: "Print its gate pass",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_print_gate_pass]",
            run: "click",
        },
        {
            content: "The gate pass went to the printer",
            trigger: "body[data-autorepair-printed*='report_gate_pass']",
        },
        {
            content: "The order is closed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=done]",
        },
    ],
});
