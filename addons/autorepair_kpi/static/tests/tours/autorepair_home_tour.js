import { registry } from "@web/core/registry";

// After login, the user lands on his work in the After-Sales app, not in Discuss.
registry.category("web_tour.tours").add("autorepair_home_tour", {
    steps: () => [
        {
            content: "The After-Sales app is open",
            trigger: ".o_main_navbar .o_menu_brand[data-menu-xmlid='autorepair_crm.menu_root']",
        },
        {
            content: "A screen of the suite is shown, not Discuss",
            trigger: ".o_action_manager:not(:has(.o-mail-Discuss)) .o_view_controller .o_control_panel .o_breadcrumb",
        },
    ],
});
