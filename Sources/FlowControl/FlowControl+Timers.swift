import EventStore
import Foundation
import Logging
import NATSClient

extension FlowControl {
    /// Sets (or replaces) the schedule on `subject` to fire `firing` at its due time. A time
    /// already past fires at once (the server fires an `@at` in the past immediately).
    func schedule(_ firing: TimerFiring, on subject: String) async throws {
        // `@at` has second precision: round up so a timer never fires before its time.
        let at = Date(timeIntervalSince1970: firing.dueAt.timeIntervalSince1970.rounded(.up))
        _ = try await jetStream.publish(subject, payload: try firing.encoded(),
                                        options: PublishOptions(schedule: MessageSchedule(at: at, target: TimerSubjects.fired(firing.kind),
                                                                                          firedMessageTTL: Self.firedTimerTTL)))
    }

    /// How long a fired timer stays in SCHEDULES: flow-control takes it within moments, so this
    /// only bounds the stream (without it every firing stays forever); a week covers any
    /// outage of flow-control an operator would let pass.
    static let firedTimerTTL: Duration = .seconds(7 * 24 * 3600)

    /// Removes the schedule on `subject` (nothing happens if there is none).
    func removeSchedule(on subject: String) async throws {
        let request = try JSONSerialization.data(withJSONObject: ["filter": subject])
        let reply = try await jetStream.connection.request("$JS.API.STREAM.PURGE.\(AlmanacStreams.schedules)", payload: Array(request))
        let answer = try JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any]
        if let error = answer?["error"] as? [String: Any] {
            throw FlowControlError.scheduleNotRemoved(subject: subject, reason: "\(error["description"] ?? error)")
        }
    }

    /// Whether a schedule is pending on `subject`.
    public func hasSchedule(on subject: String) async throws -> Bool {
        try await jetStream.lastMessage(stream: AlmanacStreams.schedules, subject: subject) != nil
    }
}
