import { registry } from "@web/core/registry";

// The cashier settles a checked order (test_attack_member_cards.py builds the
// data): 300 paid from the customer's stored-value card, then his birthday coupon.

registry.category("web_tour.tours").add("autorepair_workshop_cashier_redeems", {
    steps: () => [
        {
            content: "The checked order offers to redeem a card or coupon",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_reward_wizard]",
            run: "click",
        },
        {
            content: "Pick the customer's stored-value card",
            trigger: ".modal .o_field_widget[name=card_id] input",
            run: "edit SV-2026",
        },
        {
            content: "His card is offered",
            trigger: ".o-autocomplete--dropdown-item a:contains(SV-20260001)",
            run: "click",
        },
        {
            content: "The balance shows",
            trigger: ".modal .o_field_widget[name=balance]:contains(1,000)",
        },
        {
            content: "Pay 300 with it",
            trigger: ".modal .o_field_widget[name=amount] input",
            run: "edit 300",
        },
        {
            content: "Redeem",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "Open the order's cards and coupons",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Cards and Coupons)",
            run: "click",
        },
        {
            content: "The card's payment is on the order",
            trigger: ".o_form_view .o_field_widget[name=reward_ids] .o_data_row:contains(SV-20260001):contains(300)",
        },
        {
            content: "Redeem again",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_reward_wizard]",
            run: "click",
        },
        {
            content: "Type the coupon's code",
            trigger: ".modal .o_field_widget[name=code] input",
            run: "edit BDAY-8888",
        },
        {
            content: "Redeem the coupon",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "Open the order's cards and coupons",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Cards and Coupons)",
            run: "click",
        },
        {
            content: "Both are on the order",
            trigger: ".o_form_view .o_field_widget[name=reward_ids]:has(.o_data_row:contains(SV-20260001)) .o_data_row:contains(BDAY-8888):contains(50)",
        },
    ],
});
