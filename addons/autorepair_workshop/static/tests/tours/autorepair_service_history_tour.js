import { registry } from "@web/core/registry";

// The advisor opens a car and reads its past visits and the work still
// recommended (test_service_history.py builds two visits).

registry.category("web_tour.tours").add("autorepair_workshop_service_history", {
    steps: () => [
        {
            content: "Open the car's service history",
            trigger: ".o_notebook .nav-link:contains(Service History)",
            run: "click",
        },
        {
            content: "The last visit first: its odometer, work and parts",
            trigger: "[name=service_history_ids] .o_data_row:first:contains(31,000):contains(更换刹车片):contains(前刹车片 × 2)",
        },
        {
            content: "The first visit with the oil and its filter",
            trigger: "[name=service_history_ids] .o_data_row:contains(21,000):contains(机油 5W-30 × 4)",
        },
        {
            content: "The declined and deferred work is still recommended",
            trigger: "[name=recommendation_line_ids] .o_data_row:contains(四轮定位)",
        },
        {
            content: "The declined one too",
            trigger: "[name=recommendation_line_ids] .o_data_row:contains(清洗节气门)",
        },
    ],
});
