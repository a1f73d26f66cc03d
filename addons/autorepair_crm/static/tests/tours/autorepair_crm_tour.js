import { registry } from "@web/core/registry";

// An advisor at the desk: the customer gives part of the plate, the advisor
// finds the customer file and opens the car.
registry.category("web_tour.tours").add("autorepair_crm_find_vehicle_by_plate", {
    steps: () => [
        {
            content: "Type the plate fragment the customer remembers",
            trigger: ".o_searchview_input",
            run: "edit d123",
        },
        {
            content: "Search customers by plate",
            trigger: '.o_searchview_autocomplete .o_menu_item:contains("Plate")',
            run: "click",
        },
        {
            content: "Only the owner of that car is listed",
            trigger: '.o_list_renderer:not(:has(.o_data_row:contains("李四"))) .o_data_row:contains("王小明")',
        },
        {
            content: "Open the customer file",
            trigger: '.o_data_row td[name="complete_name"]:contains("王小明")',
            run: "click",
        },
        {
            content: "Open the customer's vehicles",
            trigger: 'button[name="action_view_autorepair_vehicles"]',
            run: "click",
        },
        {
            content: "Open the car",
            trigger: '.o_data_row td[name="license_plate"]:contains("川AD12345")',
            run: "click",
        },
        {
            content: "The vehicle form shows its VIN and owner",
            trigger: '.o_form_view .o_field_widget[name="owner_id"] input',
            run() {
                const vin = document.querySelector('.o_field_widget[name="vin_sn"] input').value;
                const owner = document.querySelector('.o_field_widget[name="owner_id"] input').value;
                if (!vin.startsWith("LFV2A2BH") || !vin.endsWith("RC777777") || owner !== "王小明") {
                    throw new Error(`Unexpected vehicle form: VIN ${vin}, owner ${owner}`);
                }
            },
        },
    ],
});
