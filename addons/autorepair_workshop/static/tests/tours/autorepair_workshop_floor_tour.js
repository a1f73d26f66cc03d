import { registry } from "@web/core/registry";
import { passAndRecordCheck } from "@autorepair_workshop/../tests/tours/check_steps";

// The workshop floor on a phone (test_ui_workshop_floor.py builds the car and
// starts each tour on its role's screen): the technician works his job from its
// card and sends the car to its checks, the team lead signs the peer check and
// the inspector the final check, each from the cards of the cars waiting for him.

const PLATE = "川A8H390";
const JOB = "更换空调滤芯";
const JOB_CARD = `.o_kanban_record:contains(${PLATE}):contains(${JOB})`;
const CHECK_CARD = `.o_kanban_record:contains(${PLATE})`;

function recordCheck(checklistPoint, extraSteps = []) {
    return [
        {
            content: "The checklist of the check is laid out, one point a row",
            trigger: `.modal .o_field_widget[name=line_ids] .o_kanban_record:contains(${checklistPoint})`,
        },
        ...passAndRecordCheck(extraSteps),
    ];
}

registry.category("web_tour.tours").add("autorepair_workshop_technician_phone", {
    steps: () => [
        {
            content: "My jobs are cards: the plate, the car, the job and its state",
            trigger: `${JOB_CARD}:contains(Tour Sedan):contains(To Do)`,
        },
        {
            content: "The standard time of the job is on its card",
            trigger: `${JOB_CARD} .o_field_widget[name=quantity]:contains(00:30)`,
        },
        {
            content: "Start the job with the big button on its card",
            trigger: `${JOB_CARD} button[name=action_start_work]`,
            run: "click",
        },
        {
            content: "The job runs; Finish is on the card",
            trigger: `${JOB_CARD}:contains(Running) button[name=action_finish_work]`,
        },
        {
            content: "A tap on the card opens the job",
            trigger: `${JOB_CARD} .o_autorepair_job_name`,
            run: "click",
        },
        {
            content: "The job shows the car's plate",
            trigger: `.o_form_view .o_autorepair_job_plate:contains(${PLATE})`,
        },
        {
            content: "and what the customer asked for",
            trigger: ".o_form_view .o_field_widget[name=requested_work]:contains(空调出风有异味)",
        },
        {
            content: "Finish the job",
            trigger: ".o_form_view .o_form_sheet button[name=action_finish_work]",
            run: "click",
        },
        {
            content: "The work on the car is done: send it to its checks",
            trigger: ".o_form_view .o_form_sheet button[name=action_request_check]",
            run: "click",
        },
        {
            content: "The self-check is a button in sight (not in the gear menu)",
            trigger: ".o_form_view .o_form_sheet button[name=action_open_check]:contains(Self-Check)",
            run: "click",
        },
        ...recordCheck("All ordered work done"),
        {
            content: "The car now waits for the peer check",
            trigger: ".o_form_view .alert:contains(Peer Check)",
        },
        {
            content: "Back to my jobs",
            trigger: ".o_back_button",
            run: "click",
        },
        {
            content: "The self-checked car has left my jobs",
            trigger: `.o_kanban_view:not(:has(${JOB_CARD}))`,
        },
    ],
});

registry.category("web_tour.tours").add("autorepair_workshop_team_lead_checks", {
    steps: () => [
        {
            content: "My home is my jobs; the phone's menu leads to the cars waiting for checks",
            trigger: ".o_breadcrumb:contains(My Jobs)",
        },
        {
            content: "Open the menu of the app",
            trigger: ".o_main_navbar .o_menu_toggle",
            run: "click",
        },
        {
            content: "Checks to Do",
            trigger: ".o_app_menu_sidebar [data-menu-xmlid='autorepair_workshop.autorepair_service_order_menu_checks']",
            run: "click",
        },
        {
            content: "The car waits for my peer check, with what the customer asked for",
            trigger: `${CHECK_CARD}:contains(Peer Check):contains(空调出风有异味)`,
        },
        {
            content: "Sign the peer check from the card",
            trigger: `${CHECK_CARD} button[name=action_open_check]:contains(Peer Check)`,
            run: "click",
        },
        ...recordCheck("Work matches the order"),
        {
            content: "The car has left my checks: it waits for the inspector",
            trigger: `.o_kanban_view:not(:has(${CHECK_CARD}))`,
        },
    ],
});

registry.category("web_tour.tours").add("autorepair_workshop_inspector_phone", {
    steps: () => [
        {
            content: "The car waits for my final check",
            trigger: `${CHECK_CARD}:contains(Final Check):contains(Tour Sedan)`,
        },
        {
            content: "Sign the final check from the card",
            trigger: `${CHECK_CARD} button[name=action_open_check]:contains(Final Check)`,
            run: "click",
        },
        ...recordCheck("Road test", [
            {
                content: "The road test's distance",
                trigger: ".modal .o_field_widget[name=road_test_km] input",
                run: "edit 5",
            },
        ]),
        {
            content: "Released: the car has left my checks",
            trigger: `.o_kanban_view:not(:has(${CHECK_CARD}))`,
        },
    ],
});
