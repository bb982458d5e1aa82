import Foundation

extension BookingEventTrigger {
    /// Whether an event of `eventType` with this trigger data starts a run. A filter that cannot
    /// be evaluated (a type mismatch in this data) is an error for the caller to report, not a no.
    public func matches(eventType: String, data: FlowValue, now: Date) throws(ExpressionEvaluationError) -> Bool {
        guard events.contains(eventType) else { return false }
        return try passesFilter(filter, data: data, now: now)
    }
}

extension BookingTimeTrigger {
    /// The offset from the booking's field: negative before, positive after (`nil` if unreadable;
    /// the validator reports it).
    public var offset: FlowDuration? {
        if let before, let duration = try? FlowDuration(parsing: before) { return FlowDuration(seconds: -duration.seconds) }
        if let after, let duration = try? FlowDuration(parsing: after) { return duration }
        return nil
    }

    /// When the trigger fires for a booking (trigger data with `booking.start`/`booking.end`),
    /// or `nil` when the booking has no such time. Flow-control re-computes it when a booking is
    /// rescheduled or moved, and cancels the timer when it is cancelled.
    public func dueAt(for data: FlowValue) -> Date? {
        guard let offset, case .string(let text)? = data.value(at: ["booking", field]), let time = FlowTime.parse(text) else { return nil }
        return time.addingTimeInterval(offset.timeInterval)
    }

    /// Whether the run starts when the timer fires: the filter over the booking as it is then
    /// (so `booking.checkedIn != true` sees a check-in that happened meanwhile).
    public func passes(data: FlowValue, now: Date) throws(ExpressionEvaluationError) -> Bool {
        try passesFilter(filter, data: data, now: now)
    }
}

extension ScheduleTrigger {
    /// The next firing strictly after `instant` (`nil` for an unreadable cron or zone, which the
    /// validator reports, or a schedule that never fires).
    public func nextFire(after instant: Date) -> Date? {
        guard let zone = TimeZone(identifier: timeZone), let schedule = try? CronSchedule(parsing: cron) else { return nil }
        return schedule.nextFire(after: instant, in: zone)
    }
}

func passesFilter(_ filter: String?, data: FlowValue, now: Date) throws(ExpressionEvaluationError) -> Bool {
    guard let filter else { return true }
    let expression: FlowExpression
    do {
        expression = try FlowExpression(parsing: filter)
    } catch {
        throw ExpressionEvaluationError(message: "filter '\(filter)' is not a valid expression: \(error)")
    }
    return try expression.isTrue(over: data, now: now)
}
