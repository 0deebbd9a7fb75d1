import Foundation

/// The wait a member is told when nobody can take their conversation yet.
public enum QueueEstimate {
    /// Assignments in the last hour needed before the measured rate is trusted.
    public static let minimumSample = 5

    /// Estimated seconds until the conversation at `position` (1 = next) is taken.
    ///
    /// With at least `minimumSample` assignments measured in the last hour, the queue moves at
    /// that rate (fewer say too little: one assignment would mean "an hour per place"). Otherwise
    /// each online agent is assumed to free a place every `expectedHandleSeconds` (at least one
    /// agent is assumed, so an empty team still gets an honest, long estimate).
    public static func seconds(
        position: Int, assignmentsLastHour: Int, onlineAgents: Int, expectedHandleSeconds: Double
    ) -> Double {
        let position = Double(max(position, 1))
        if assignmentsLastHour >= minimumSample {
            return position * 3600 / Double(assignmentsLastHour)
        }
        return position * expectedHandleSeconds / Double(max(onlineAgents, 1))
    }

    /// Whole minutes to tell a member, at least 1.
    public static func minutes(_ seconds: Double) -> Int {
        max(1, Int((seconds / 60).rounded(.up)))
    }
}
