import Foundation

/// The rules a booking must follow. A site sets the default; a resource overrides any field.
public struct BookingPolicy: Codable, Equatable, Sendable {
    /// Starts and ends fall on multiples of this many wall-clock minutes.
    public var slotGranularityMinutes: Int
    public var minimumDurationMinutes: Int
    public var maximumDurationMinutes: Int
    /// How long before its start a booking must be placed.
    public var minimumNoticeToBookMinutes: Int
    /// How long before its start a booking may still be cancelled, changed or moved.
    public var minimumNoticeToChangeMinutes: Int
    /// How far ahead a booking may start.
    public var maximumAdvanceDays: Int
    /// Time blocked before and after each booking (set-up, cleaning); counts against capacity.
    public var bufferBeforeMinutes: Int
    public var bufferAfterMinutes: Int
    /// Bookings at the same time (a desk: 1; a shared service: more).
    public var capacity: Int
    /// Per person, per resource kind, per site-local day (e.g. one desk a day); `nil` = no limit.
    public var maximumBookingsPerDay: Int?
    /// Per person, bookings not yet ended, over all resources; `nil` = no limit.
    public var maximumFutureBookings: Int?
    /// Check-in is possible from this long before the start ...
    public var checkInOpensMinutesBeforeStart: Int
    /// ... until this long after it; later, the booking can be released as a no-show.
    public var checkInClosesMinutesAfterStart: Int

    public init(slotGranularityMinutes: Int = 15, minimumDurationMinutes: Int = 15, maximumDurationMinutes: Int = 600,
                minimumNoticeToBookMinutes: Int = 0, minimumNoticeToChangeMinutes: Int = 0, maximumAdvanceDays: Int = 30,
                bufferBeforeMinutes: Int = 0, bufferAfterMinutes: Int = 0, capacity: Int = 1,
                maximumBookingsPerDay: Int? = nil, maximumFutureBookings: Int? = nil,
                checkInOpensMinutesBeforeStart: Int = 15, checkInClosesMinutesAfterStart: Int = 30) {
        self.slotGranularityMinutes = slotGranularityMinutes
        self.minimumDurationMinutes = minimumDurationMinutes
        self.maximumDurationMinutes = maximumDurationMinutes
        self.minimumNoticeToBookMinutes = minimumNoticeToBookMinutes
        self.minimumNoticeToChangeMinutes = minimumNoticeToChangeMinutes
        self.maximumAdvanceDays = maximumAdvanceDays
        self.bufferBeforeMinutes = bufferBeforeMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
        self.capacity = capacity
        self.maximumBookingsPerDay = maximumBookingsPerDay
        self.maximumFutureBookings = maximumFutureBookings
        self.checkInOpensMinutesBeforeStart = checkInOpensMinutesBeforeStart
        self.checkInClosesMinutesAfterStart = checkInClosesMinutesAfterStart
    }

    /// What is wrong with this policy, in words, or `nil`.
    public var problem: String? {
        if slotGranularityMinutes < 1 || 1440 % slotGranularityMinutes != 0 {
            return "slot granularity must divide a day (e.g. 5, 15, 30 or 60 minutes)"
        }
        if minimumDurationMinutes < 1 { return "minimum duration must be at least one minute" }
        if maximumDurationMinutes < minimumDurationMinutes { return "maximum duration must not be below the minimum duration" }
        if minimumNoticeToBookMinutes < 0 || minimumNoticeToChangeMinutes < 0 { return "notice must not be negative" }
        if maximumAdvanceDays < 1 { return "bookings must be possible at least one day ahead" }
        if bufferBeforeMinutes < 0 || bufferAfterMinutes < 0 { return "buffers must not be negative" }
        if capacity < 1 { return "capacity must be at least 1" }
        if let limit = maximumBookingsPerDay, limit < 1 { return "the daily limit must be at least 1" }
        if let limit = maximumFutureBookings, limit < 1 { return "the limit on future bookings must be at least 1" }
        if checkInOpensMinutesBeforeStart < 0 || checkInClosesMinutesAfterStart < 0 { return "the check-in window must not be negative" }
        return nil
    }
}

/// Resource-level changes to the site's policy; `nil` fields keep the site's value.
public struct PolicyOverride: Codable, Equatable, Sendable {
    public var slotGranularityMinutes: Int?
    public var minimumDurationMinutes: Int?
    public var maximumDurationMinutes: Int?
    public var minimumNoticeToBookMinutes: Int?
    public var minimumNoticeToChangeMinutes: Int?
    public var maximumAdvanceDays: Int?
    public var bufferBeforeMinutes: Int?
    public var bufferAfterMinutes: Int?
    public var capacity: Int?
    public var maximumBookingsPerDay: Int?
    public var maximumFutureBookings: Int?
    public var checkInOpensMinutesBeforeStart: Int?
    public var checkInClosesMinutesAfterStart: Int?

    public init(slotGranularityMinutes: Int? = nil, minimumDurationMinutes: Int? = nil, maximumDurationMinutes: Int? = nil,
                minimumNoticeToBookMinutes: Int? = nil, minimumNoticeToChangeMinutes: Int? = nil, maximumAdvanceDays: Int? = nil,
                bufferBeforeMinutes: Int? = nil, bufferAfterMinutes: Int? = nil, capacity: Int? = nil,
                maximumBookingsPerDay: Int? = nil, maximumFutureBookings: Int? = nil,
                checkInOpensMinutesBeforeStart: Int? = nil, checkInClosesMinutesAfterStart: Int? = nil) {
        self.slotGranularityMinutes = slotGranularityMinutes
        self.minimumDurationMinutes = minimumDurationMinutes
        self.maximumDurationMinutes = maximumDurationMinutes
        self.minimumNoticeToBookMinutes = minimumNoticeToBookMinutes
        self.minimumNoticeToChangeMinutes = minimumNoticeToChangeMinutes
        self.maximumAdvanceDays = maximumAdvanceDays
        self.bufferBeforeMinutes = bufferBeforeMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
        self.capacity = capacity
        self.maximumBookingsPerDay = maximumBookingsPerDay
        self.maximumFutureBookings = maximumFutureBookings
        self.checkInOpensMinutesBeforeStart = checkInOpensMinutesBeforeStart
        self.checkInClosesMinutesAfterStart = checkInClosesMinutesAfterStart
    }

    /// The site's policy with this override's fields put in.
    public func applied(to base: BookingPolicy) -> BookingPolicy {
        var policy = base
        if let value = slotGranularityMinutes { policy.slotGranularityMinutes = value }
        if let value = minimumDurationMinutes { policy.minimumDurationMinutes = value }
        if let value = maximumDurationMinutes { policy.maximumDurationMinutes = value }
        if let value = minimumNoticeToBookMinutes { policy.minimumNoticeToBookMinutes = value }
        if let value = minimumNoticeToChangeMinutes { policy.minimumNoticeToChangeMinutes = value }
        if let value = maximumAdvanceDays { policy.maximumAdvanceDays = value }
        if let value = bufferBeforeMinutes { policy.bufferBeforeMinutes = value }
        if let value = bufferAfterMinutes { policy.bufferAfterMinutes = value }
        if let value = capacity { policy.capacity = value }
        if let value = maximumBookingsPerDay { policy.maximumBookingsPerDay = value }
        if let value = maximumFutureBookings { policy.maximumFutureBookings = value }
        if let value = checkInOpensMinutesBeforeStart { policy.checkInOpensMinutesBeforeStart = value }
        if let value = checkInClosesMinutesAfterStart { policy.checkInClosesMinutesAfterStart = value }
        return policy
    }
}
