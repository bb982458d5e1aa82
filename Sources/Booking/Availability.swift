import Foundation

/// Free slots, computed with the same rules `decide` applies (opening hours, closures, grid,
/// buffers, capacity, notice, advance), so whatever is offered can be booked at that moment.
public enum Availability {
    public struct Slot: Codable, Equatable, Hashable, Sendable {
        public var start: Date
        public var end: Date

        public init(start: Date, end: Date) {
            self.start = start
            self.end = end
        }
    }

    /// Free slots of one resource over `days` site-local days from `firstDay`, each `slotMinutes`
    /// long (default: an appointment's length, else the minimum duration on the grid), stepping
    /// by the slot granularity (appointments: by their own grid).
    public static func freeSlots(resourceId: ResourceID, site: SiteState, occupancy: ResourceState, from firstDay: LocalDate,
                                 days: Int = 1, slotMinutes: Int? = nil, now: Date) -> [Slot] {
        guard let definition = site.site, let resource = site.resources[resourceId], days >= 1 else { return [] }
        let rules = SlotRules(site: definition, resource: resource)
        let length = TimeInterval((slotMinutes ?? rules.defaultSlotMinutes) * 60)
        guard length > 0 else { return [] }
        var slots: [Slot] = []
        for offset in 0..<min(days, 366) {
            let date = firstDay.adding(days: offset)
            for start in candidateStarts(rules, on: date) {
                let end = start.addingTimeInterval(length)
                guard rules.checkShape(start: start, end: end) == nil,
                      rules.checkTiming(start: start, now: now) == nil,
                      rules.checkCapacity(start: start, end: end, in: occupancy) == nil else { continue }
                slots.append(Slot(start: start, end: end))
            }
        }
        return slots
    }

    /// Free slots of every resource of `kind` at the site (optionally on one floor), by resource id.
    /// A resource without loaded occupancy counts as empty.
    public static func freeSlots(kind: ResourceKind, floorId: FloorID? = nil, site: SiteState,
                                 occupancy: [ResourceID: ResourceState], from firstDay: LocalDate, days: Int = 1,
                                 slotMinutes: Int? = nil, now: Date) -> [ResourceID: [Slot]] {
        var result: [ResourceID: [Slot]] = [:]
        for resource in site.resources.values where resource.kind == kind && (floorId == nil || resource.floorId == floorId) {
            result[resource.resourceId] = freeSlots(resourceId: resource.resourceId, site: site,
                                                    occupancy: occupancy[resource.resourceId] ?? ResourceState(),
                                                    from: firstDay, days: days, slotMinutes: slotMinutes, now: now)
        }
        return result
    }

    /// Starts on the grid within each opening interval of `date`. Stepping in elapsed time from the
    /// opening keeps wall-clock alignment on DST days (zones shift by whole hours), skips the hour
    /// that does not exist in spring and visits the repeated hour twice in autumn.
    static func candidateStarts(_ rules: SlotRules, on date: LocalDate) -> [Date] {
        if rules.resource.kind == .appointmentService { return rules.appointmentStarts(on: date) }
        let step = TimeInterval(rules.policy.slotGranularityMinutes * 60)
        var starts: [Date] = []
        for open in rules.site.openIntervals(on: date, clock: rules.clock) {
            // Align the first start to the wall-clock grid (an opening at 08:10 on a 15-minute grid starts at 08:15).
            let misalignment = rules.clock.minuteOfDay(of: open.lowerBound) % rules.policy.slotGranularityMinutes
            var start = open.lowerBound.addingTimeInterval(misalignment == 0 ? 0 : step - TimeInterval(misalignment * 60))
            while start < open.upperBound {
                starts.append(start)
                start = start.addingTimeInterval(step)
            }
        }
        return starts
    }
}
