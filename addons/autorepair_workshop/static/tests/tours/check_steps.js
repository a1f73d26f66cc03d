// The end of a quality check in its dialog, the same for the three checks and
// on a desk or a phone: passed, what the check adds, recorded, dialog closed.
export function passAndRecordCheck(extraSteps = []) {
    return [
        {
            content: "Passed",
            trigger: ".modal .o_field_widget[name=result] input[data-value=pass]",
            run: "click",
        },
        ...extraSteps,
        {
            content: "Record the check",
            trigger: ".modal .modal-footer button:contains(Record)",
            run: "click",
        },
        {
            content: "The check is recorded",
            trigger: "body:not(:has(.modal))",
        },
    ];
}
