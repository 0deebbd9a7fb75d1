/// The flows every tenant starts with: editable copies are made when a tenant is created.
public enum DefaultFlows {
    /// The default proof flow's name.
    public static let proofOfServiceName = "Proof of service"
    /// The crew says the job is done: in a word (the run is for their current job), or with the
    /// "Job done" choice on the message that gave them the job (the run is for that job).
    public static let proofOfServiceTriggers = [
        FlowTrigger(.keyword, keywords: ["done", "finished", "job done", "listo", "terminado", "hecho"]), FlowTrigger(.jobDone),
    ]

    /// Proof of service: when the crew says the job is done, ask for 1–5 photos and the location
    /// (messaging apps strip EXIF, so the location message and the server's receipt time stand in
    /// for it), confirm, attach them to the job as a proof, and end with a receipt naming the
    /// order number and crew code. Silence gets two reminders; after four hours a person takes over.
    public static let proofOfService = FlowDefinition(start: "photos", steps: {
        var photos = FlowStep(id: "photos", .askPhoto, text: "Job {{order_number}}: please send 1 to 5 photos of the finished work.", next: "place")
        photos.minCount = 1
        photos.maxCount = 5
        photos.saveAs = "photos"
        photos.reminders = FlowReminders(afterMinutes: 30, max: 2, text: "Still waiting for the photos of job {{order_number}}.")
        photos.timeout = FlowTimeout(afterMinutes: 240, next: "late")
        var place = FlowStep(id: "place", .askLocation, text: "Thanks. Now share your location, so the proof shows where the work was done.", next: "confirm")
        place.saveAs = "place"
        place.reminders = FlowReminders(afterMinutes: 30, max: 2)
        place.timeout = FlowTimeout(afterMinutes: 240, next: "late")
        var confirm = FlowStep(id: "confirm", .askChoice, text: "Send {{photos}} photo(s) and your location as the proof of job {{order_number}}?")
        confirm.saveAs = "confirmed"
        confirm.choices = [FlowChoice(id: "yes", title: "Yes, send", next: "attach"), FlowChoice(id: "no", title: "Start again", next: "photos")]
        var attach = FlowStep(id: "attach", .attachProof, next: "thanks")
        attach.photosFrom = "photos"
        attach.locationFrom = "place"
        return [
            photos, place, confirm, attach,
            FlowStep(id: "thanks", .end, text: "Received {{photos}} photo(s) for job {{order_number}} (crew {{crew_code}}). Thank you!"),
            FlowStep(id: "late", .handoff, text: "We did not get the proof of job {{order_number}}; a dispatcher will contact you."),
        ]
    }())
}
