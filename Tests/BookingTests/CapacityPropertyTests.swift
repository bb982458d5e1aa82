import Booking
import Foundation
import Testing

/// Capacity including buffers is never exceeded, whatever arrives: hundreds of random
/// placements, changes and cancellations against one resource, checked by brute force.
@Suite("Capacity invariant")
struct CapacityPropertyTests {
    /// A small deterministic generator (SplitMix64), so a failure repeats.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("given random commands on a resource with capacity 2 and buffers, then no instant is ever over capacity, and every 'slot taken' was real",
          arguments: [UInt64(1), 2, 3])
    func capacityNeverExceeded(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let history = Fixture.history(of: Fixture.siteCommands() + [
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "room-1", policyOverride: PolicyOverride(
                slotGranularityMinutes: 15, minimumDurationMinutes: 15, maximumDurationMinutes: 180, bufferBeforeMinutes: 15, bufferAfterMinutes: 30, capacity: 2))),
        ])
        let now = utc("2026-03-09T12:00:00Z")
        var context = Scenario(given: history, at: now).context
        let dayStart = utc("2026-03-10T07:00:00Z") // 08:00 in Zürich
        var placedIds: [BookingID] = []
        var taken = 0
        for step in 0..<400 {
            let person = Principal(personId: "p\(step % 50)", roles: [.booker])
            context.actor = person
            let start = dayStart.addingTimeInterval(TimeInterval(Int.random(in: 0..<36, using: &random) * 15 * 60))
            let end = start.addingTimeInterval(TimeInterval(Int.random(in: 1...8, using: &random) * 15 * 60))
            let command: BookingCommand
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                command = .place(PlaceBooking(idempotencyKey: "k\(step)", bookingId: "b\(step)", siteId: "zh", resourceId: "room-1",
                                              start: start, end: end, bookerTimeZone: "Europe/Zurich"))
            case 6..<8 where !placedIds.isEmpty:
                let id = placedIds.randomElement(using: &random)!
                context.actor = Principal(personId: context.resources["room-1"]!.bookings[id]!.personId, roles: [.booker])
                command = .changeTime(ChangeBookingTime(idempotencyKey: "k\(step)", bookingId: id, resourceId: "room-1", start: start, end: end))
            default:
                guard let id = placedIds.randomElement(using: &random) else { continue }
                context.actor = Fixture.admin
                command = .cancel(CancelBooking(idempotencyKey: "k\(step)", bookingId: id, resourceId: "room-1"))
            }
            switch BookingDecider.decide(command, context) {
            case .success(let batches):
                context = BookingDecider.evolve(context, with: batches)
                if case .place(let place) = command { placedIds.append(place.bookingId) }
            case .failure(.slotTaken):
                taken += 1
                // Real: with the requested interval added, some instant would exceed capacity.
                var active = context.resources["room-1"]?.activeBookings.map { ($0.start, $0.end, $0.bookingId) } ?? []
                if case .changeTime(let change) = command { active.removeAll { $0.2 == change.bookingId } }
                #expect(mostAtOnce(active.map { ($0.0, $0.1) } + [(start, end)]) > 2, "step \(step): slot taken but it fits")
            case .failure:
                break
            }
            let active = context.resources["room-1"]?.activeBookings.map { ($0.start, $0.end) } ?? []
            #expect(mostAtOnce(active) <= 2, "step \(step): over capacity")
        }
        #expect(taken > 0, "the run should have produced conflicts")
    }

    /// The most occupations ([start − 15 min, end + 30 min)) alive at one instant, by brute force
    /// over every boundary.
    func mostAtOnce(_ bookings: [(Date, Date)]) -> Int {
        let occupied = bookings.map { ($0.0.addingTimeInterval(-15 * 60), $0.1.addingTimeInterval(30 * 60)) }
        let instants = occupied.flatMap { [$0.0, $0.1] }
        return instants.map { instant in occupied.filter { $0.0 <= instant && instant < $0.1 }.count }.max() ?? 0
    }
}
