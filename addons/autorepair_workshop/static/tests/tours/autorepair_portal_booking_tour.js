import { registry } from "@web/core/registry";

// The customer on his phone (375x667) books a service: his second car, a
// repair, tomorrow at 13:00; test_booking.py checks the order it made.

registry.category("web_tour.tours").add("autorepair_workshop_portal_booking_phone", {
    steps: () => [
        {
            content: "A phone screen, nothing to scroll sideways",
            trigger: ".o_autorepair_booking_form",
            run() {
                const { scrollWidth, clientWidth } = document.documentElement;
                if (window.innerWidth > 400) {
                    throw new Error(`not a phone screen: ${window.innerWidth}px wide`);
                }
                if (scrollWidth > clientWidth) {
                    throw new Error(`the booking page is ${scrollWidth}px wide on a ${clientWidth}px screen`);
                }
            },
        },
        {
            content: "His second car",
            trigger: "select#booking_vehicle",
            run: "selectByLabel 川A54321",
        },
        {
            content: "A repair",
            trigger: "select#booking_need",
            run: "selectByLabel Repair",
        },
        {
            content: "Show the free times for that car",
            trigger: ".o_autorepair_booking_refresh",
            run: "click",
        },
        {
            content: "The page shows the times again, for the repair of that car; tomorrow is chosen",
            trigger: ".o_autorepair_booking_form[data-need=repair] .o_autorepair_booking_days a.btn-primary",
        },
        {
            content: "Choose 13:00",
            trigger: ".o_autorepair_booking_slots label:contains(13:00)",
            run: "click",
        },
        {
            content: "Say what is wrong",
            trigger: "textarea#booking_request",
            run: "edit 发动机故障灯亮",
        },
        {
            content: "Book",
            trigger: ".o_autorepair_booking_confirm",
            run: "click",
        },
        {
            content: "Booked, with the way to move or cancel it",
            trigger: ".o_autorepair_booked",
        },
        {
            trigger: ".o_autorepair_booking_actions a:contains(Move)",
        },
    ],
});
