import Foundation

/// The time rules of one resource, shared by `decide` and `Availability` so that what is
/// offered is exactly what can be booked.
struct SlotRules {
    let site: SiteDefinition
    let resource: ResourceDefinition
    let policy: BookingPolicy
    let clock: SiteClock

    init(site: SiteDefinition, resource: ResourceDefinition) {
        self.site = site
        self.resource = resource
        self.policy = resource.policyOverride.applied(to: site.policy)
        self.clock = site.clock
    }

    /// Shape of the interval itself: order, length, grid, opening hours and closures.
    func checkShape(start: Date, end: Date) -> BookingRejection? {
        guard start < end else { return .endNotAfterStart }
        let minutes = Int(end.timeIntervalSince(start) / 60)
        if let fixed = resource.appointmentDurationMinutes, resource.kind == .appointmentService {
            guard minutes == fixed else { return .wrongAppointmentLength(minutes: fixed) }
        } else {
            if minutes < policy.minimumDurationMinutes { return .tooShort(minimumMinutes: policy.minimumDurationMinutes) }
            if minutes > policy.maximumDurationMinutes { return .tooLong(maximumMinutes: policy.maximumDurationMinutes) }
        }
        let date = clock.localDate(of: start)
        if let closure = site.closures.first(where: { $0.covers(date) }) {
            return .siteClosed(date: date, reason: closure.reason)
        }
        let open = site.openIntervals(on: date, clock: clock)
        guard open.contains(where: { $0.lowerBound <= start && end <= $0.upperBound }) else { return .outsideOpeningHours }
        if resource.kind == .appointmentService {
            guard appointmentStarts(on: date).contains(start) else { return .notAnAppointmentSlot }
        } else {
            let grid = policy.slotGranularityMinutes
            let onGrid = { (instant: Date) in
                instant.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0 && clock.minuteOfDay(of: instant) % grid == 0
            }
            guard onGrid(start), onGrid(end) else { return .offSlotGrid(granularityMinutes: grid) }
        }
        return nil
    }

    /// Notice and advance, measured from `now`.
    func checkTiming(start: Date, now: Date) -> BookingRejection? {
        if start < now { return .inThePast }
        if start < now.addingTimeInterval(TimeInterval(policy.minimumNoticeToBookMinutes * 60)) {
            return .tooShortNotice(minimumMinutes: policy.minimumNoticeToBookMinutes)
        }
        if start > now.addingTimeInterval(TimeInterval(policy.maximumAdvanceDays * 86_400)) {
            return .tooFarAhead(maximumDays: policy.maximumAdvanceDays)
        }
        return nil
    }

    /// Whether one more booking from `start` to `end` keeps the resource within capacity, buffers
    /// included: every booking occupies [start − buffer before, end + buffer after), and at no
    /// instant may more than `capacity` occupations overlap. `ignoring` is the booking being changed.
    func checkCapacity(start: Date, end: Date, in state: ResourceState, ignoring: BookingID? = nil) -> BookingRejection? {
        let wanted = occupied(start, end)
        let overlapping = state.activeBookings
            .filter { $0.bookingId != ignoring }
            .map { occupied($0.start, $0.end) }
            .filter { $0.overlaps(wanted) }
        if overlapping.count < policy.capacity { return nil }
        // Sweep: the most occupations alive at once inside the wanted interval.
        var changes: [(Date, Int)] = []
        for interval in overlapping {
            changes.append((max(interval.lowerBound, wanted.lowerBound), 1))
            changes.append((min(interval.upperBound, wanted.upperBound), -1))
        }
        changes.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var alive = 0, most = 0
        for change in changes {
            alive += change.1
            most = max(most, alive)
        }
        return most + 1 > policy.capacity ? .slotTaken : nil
    }

    func occupied(_ start: Date, _ end: Date) -> Range<Date> {
        start.addingTimeInterval(TimeInterval(-policy.bufferBeforeMinutes * 60))
            ..< end.addingTimeInterval(TimeInterval(policy.bufferAfterMinutes * 60))
    }

    /// Appointment starts of `date`: from each opening, after the buffer before, one every
    /// appointment + buffers, while the appointment and its buffer after fit before closing.
    func appointmentStarts(on date: LocalDate) -> [Date] {
        guard let length = resource.appointmentDurationMinutes, length > 0 else { return [] }
        let before = TimeInterval(policy.bufferBeforeMinutes * 60), after = TimeInterval(policy.bufferAfterMinutes * 60)
        let step = TimeInterval(length * 60) + before + after
        var starts: [Date] = []
        for open in site.openIntervals(on: date, clock: clock) {
            var start = open.lowerBound.addingTimeInterval(before)
            while start.addingTimeInterval(TimeInterval(length * 60) + after) <= open.upperBound {
                starts.append(start)
                start = start.addingTimeInterval(step)
            }
        }
        return starts
    }

    /// The length availability offers when the caller names none: an appointment's fixed
    /// length, else the minimum duration rounded up to the grid.
    var defaultSlotMinutes: Int {
        if resource.kind == .appointmentService, let length = resource.appointmentDurationMinutes { return length }
        let grid = policy.slotGranularityMinutes
        return max(grid, (policy.minimumDurationMinutes + grid - 1) / grid * grid)
    }
}
