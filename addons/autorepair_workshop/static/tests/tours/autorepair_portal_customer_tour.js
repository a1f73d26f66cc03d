import { registry } from "@web/core/registry";

// The customer on his phone (390x844) opens the quote link of the SMS,
// without logging in, and decides each line; test_ui_portal_customer.py
// sends the quote and checks what he signed for.

const PLATE = "川AT0519";

function line(name) {
    return `#service_order_content li.list-group-item:contains(${name})`;
}

function choose(name, choice) {
    return {
        content: `${choice} for ${name}`,
        trigger: `${line(name)} label.btn:contains(${choice})`,
        run: "click",
    };
}

function fitsThePhone(where) {
    return {
        content: `${where}: nothing to scroll sideways on a phone`,
        trigger: "#service_order_content",
        run() {
            const { scrollWidth, clientWidth } = document.documentElement;
            if (window.innerWidth > 400) {
                throw new Error(`not a phone screen: ${window.innerWidth}px wide`);
            }
            if (scrollWidth > clientWidth) {
                throw new Error(`${where} is ${scrollWidth}px wide on a ${clientWidth}px screen`);
            }
        },
    };
}

registry.category("web_tour.tours").add("autorepair_workshop_portal_customer_phone", {
    steps: () => [
        {
            content: "His car and its step in the workshop",
            trigger: `#service_order_vehicle:contains(${PLATE}):contains(迈腾)`,
        },
        {
            content: "The car waits for his decision",
            trigger: "#service_order_progress li[aria-current=step]:contains(Quoted)",
        },
        {
            content: "Each line itemised: the OEM part with its number and price",
            trigger: `${line("前刹车片")}:contains(OEM):contains(3C0 698 151):contains(1,000.00)`,
        },
        {
            content: "The cheaper alternative, what it saves and its risk",
            trigger: `${line("前刹车片")}:contains(品牌副厂件):contains(You save):contains(400.00):contains(质保期一年)`,
        },
        fitsThePhone("The quote"),
        choose("更换刹车片", "Approve"),
        choose("前刹车片", "Take the alternative"),
        choose("清洗空调滤网", "Later"),
        {
            content: "Review the choices",
            trigger: "#service_order_content button[type=submit]:contains(Review and sign)",
            run: "click",
        },
        {
            content: "What he approves, line by line and in total, before signing",
            trigger: "#service_order_review:contains(You approve):contains(800.00)",
        },
        {
            content: "The labour as approved",
            trigger: `${line("更换刹车片")} .badge:contains(Approved)`,
        },
        {
            content: "The cleaning left for later, at no cost",
            trigger: `${line("清洗空调滤网")}:contains(Deferred):contains(0.00)`,
        },
        fitsThePhone("The review"),
        {
            content: "Sign",
            trigger: "#service_order_review a:contains(Sign)",
            run: "click",
        },
        {
            content: "His name is filled in",
            trigger: ".modal .o_web_sign_name_and_signature input:value(周晓燕)",
        },
        {
            content: "Choose how his name is drawn",
            trigger: ".modal .o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            content: "A handwriting style",
            trigger: ".o-dropdown-item:eq(1)",
            run: "click",
        },
        {
            // the pad draws the name once its font is loaded and the dialog laid out;
            // a click before that sends an empty canvas, which the server refuses
            content: "His name is drawn on the signature pad",
            trigger: ".modal canvas",
            async run() {
                const canvas = this.anchor;
                const drawn = () => {
                    const blank = document.createElement("canvas");
                    blank.width = canvas.width;
                    blank.height = canvas.height;
                    return canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL();
                };
                for (let waited = 0; !drawn(); waited += 100) {
                    if (waited > 5000) {
                        throw new Error("the signature pad stays empty");
                    }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
            },
        },
        {
            content: "Confirm with the signature drawn from his name",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "Thanked: the decision is recorded",
            trigger: "#service_order_content .alert-success:contains(Your decision is recorded)",
        },
        {
            content: "The order has moved on to the approved work",
            trigger: "#service_order_progress li[aria-current=step]:contains(Approved)",
        },
        {
            content: "The quote shows what he signed, and nothing left to choose",
            trigger: "section[id^=quote_]:contains(Decided):contains(800.00):contains(周晓燕):not(:has(input[type=radio]))",
        },
        fitsThePhone("The decided quote"),
    ],
});
