import Booking
import Foundation

/// One or more realistic examples per booking event type (every optional field both present and
/// absent somewhere), for the contract tests and as documentation of the wire format.
public enum BookingEventExamples {
    static let start = Date(timeIntervalSince1970: 1_773_129_600) // 2026-03-10T08:00:00Z, 09:00 in Zürich
    static let end = start.addingTimeInterval(8 * 3600)
    static let day = LocalDate("2026-03-10")!
    static let hours = [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map {
        OpeningInterval(weekday: $0, opens: TimeOfDay("07:00")!, closes: TimeOfDay("20:00")!)
    }
    static let policy = BookingPolicy(slotGranularityMinutes: 15, minimumDurationMinutes: 30, maximumDurationMinutes: 600,
                                      minimumNoticeToBookMinutes: 0, minimumNoticeToChangeMinutes: 60, maximumAdvanceDays: 30,
                                      maximumBookingsPerDay: 1, maximumFutureBookings: 20)

    public static let siteCreated = SiteCreated(siteId: "zurich", name: "Zürich Campus", country: "CH", timeZone: "Europe/Zurich",
                                                openingHours: hours, policy: policy)
    /// A site whose admins receive the weekly utilisation report (`{{site.adminEmails}}`).
    public static let siteCreatedWithAdmins = SiteCreated(siteId: "basel", name: "Basel Office", country: "CH", timeZone: "Europe/Zurich",
                                                          openingHours: hours, policy: policy,
                                                          adminEmails: ["facilities.basel@almanac.example", "grace@almanac.example"])
    public static let openingHoursSet = SiteOpeningHoursSet(siteId: "zurich", openingHours: hours + [
        OpeningInterval(weekday: .saturday, opens: TimeOfDay("08:00")!, closes: TimeOfDay("24:00")!),
    ])
    public static let closureAdded = SiteClosureAdded(siteId: "zurich", closure: Closure(
        closureId: "national-day-2026", from: LocalDate("2026-08-01")!, through: LocalDate("2026-08-01")!, reason: "Swiss National Day"))
    public static let closureRemoved = SiteClosureRemoved(siteId: "zurich", closureId: "national-day-2026")
    public static let sitePolicySet = SitePolicySet(siteId: "zurich", policy: BookingPolicy())
    public static let buildingAdded = BuildingAdded(siteId: "zurich", buildingId: "zh-main", name: "Main Building")
    public static let floorAdded = FloorAdded(siteId: "zurich", buildingId: "zh-main", floorId: "zh-main-1", name: "Floor 1", level: 1)
    public static let resourcesAdded = [
        ResourceAdded(siteId: "zurich", resource: ResourceDefinition(resourceId: "zh-desk-001", floorId: "zh-main-1", name: "Desk 1", kind: .desk,
                                                                     attributes: ["standing-desk", "monitor"],
                                                                     policyOverride: PolicyOverride(maximumBookingsPerDay: 1))),
        ResourceAdded(siteId: "zurich", resource: ResourceDefinition(resourceId: "zh-room-1", floorId: "zh-main-1", name: "Room 1", kind: .room,
                                                                     seats: 8, attributes: ["video-conference"],
                                                                     policyOverride: PolicyOverride(slotGranularityMinutes: 30, bufferAfterMinutes: 10))),
        ResourceAdded(siteId: "zurich", resource: ResourceDefinition(resourceId: "zh-parking-1", floorId: "zh-main-1", name: "Parking 1",
                                                                     kind: .parkingSpace, restrictedToGroups: ["zh-executive-parking"])),
        ResourceAdded(siteId: "zurich", resource: ResourceDefinition(resourceId: "zh-it-help", floorId: "zh-main-1", name: "IT help desk",
                                                                     kind: .appointmentService, appointmentDurationMinutes: 20,
                                                                     policyOverride: PolicyOverride(slotGranularityMinutes: 5, minimumDurationMinutes: 20,
                                                                                                    maximumDurationMinutes: 20, minimumNoticeToBookMinutes: 60,
                                                                                                    minimumNoticeToChangeMinutes: 30, maximumAdvanceDays: 14,
                                                                                                    bufferBeforeMinutes: 5, bufferAfterMinutes: 10, capacity: 2,
                                                                                                    maximumBookingsPerDay: 1, maximumFutureBookings: 3,
                                                                                                    checkInOpensMinutesBeforeStart: 10,
                                                                                                    checkInClosesMinutesAfterStart: 5))),
    ]
    public static let resourceUpdated = ResourceUpdated(siteId: "zurich", resourceId: "zh-desk-001", name: "Window desk", attributes: ["window"])
    public static let resourceRemoved = ResourceRemoved(siteId: "zurich", resourceId: "zh-desk-001")
    public static let resourcePoliciesSet = [
        ResourcePolicySet(siteId: "zurich", resourceId: "zh-room-1", policyOverride: PolicyOverride(bufferBeforeMinutes: 5, bufferAfterMinutes: 10)),
        ResourcePolicySet(siteId: "zurich", resourceId: "zh-room-1", policyOverride: PolicyOverride()),
    ]
    public static let groupDefined = GroupDefined(siteId: "zurich", groupId: "zh-executive-parking", name: "Executive parking")
    public static let resourcesRestricted = [
        ResourceRestricted(siteId: "zurich", resourceId: "zh-parking-1", groupIds: ["zh-executive-parking"]),
        ResourceRestricted(siteId: "zurich", resourceId: "zh-parking-1", groupIds: []),
    ]
    public static let placed = BookingPlaced(bookingId: "bk-7f3a", resourceId: "zh-desk-001", siteId: "zurich", personId: "ada",
                                             kind: .desk, start: start, end: end, attendees: 1, bookerTimeZone: "Europe/London")
    /// As booking-web places it for a signed-in booker: with the contact flows mail
    /// (`{{person.name}}`, `{{person.email}}`).
    public static let placedWithContact = BookingPlaced(bookingId: "bk-8c21", resourceId: "zh-room-1", siteId: "zurich", personId: "ada",
                                                        kind: .room, start: start, end: start.addingTimeInterval(3600), attendees: 4,
                                                        bookerTimeZone: "Europe/Zurich",
                                                        contact: BookingContact(name: "Ada Lovelace", email: "ada@almanac.example"))
    public static let cancelled = [
        BookingCancelled(bookingId: "bk-7f3a", resourceId: "zh-desk-001", cancelledBy: "ada", reason: "Working from home"),
        BookingCancelled(bookingId: "bk-7f3a", resourceId: "zh-desk-001", cancelledBy: "demo-admin"),
    ]
    public static let rescheduled = BookingRescheduled(bookingId: "bk-7f3a", resourceId: "zh-desk-001", start: start.addingTimeInterval(3600), end: end)
    public static let movedOut = BookingMovedOut(bookingId: "bk-7f3a", resourceId: "zh-desk-001", toResourceId: "zh-desk-002")
    public static let movedIn = BookingMovedIn(bookingId: "bk-7f3a", resourceId: "zh-desk-002", fromResourceId: "zh-desk-001", siteId: "zurich",
                                               personId: "ada", kind: .desk, start: start, end: end, attendees: 1, bookerTimeZone: "Europe/London")
    public static let checkedIn = BookingCheckedIn(bookingId: "bk-7f3a", resourceId: "zh-desk-002", checkedInAt: start.addingTimeInterval(-300))
    public static let releasedAsNoShow = BookingReleasedAsNoShow(bookingId: "bk-7f3a", resourceId: "zh-desk-002", releasedBy: "flow-runtime")
    public static let personBookingAdded = PersonBookingAdded(personId: "ada", bookingId: "bk-7f3a", resourceId: "zh-desk-001", siteId: "zurich",
                                                              kind: .desk, start: start, end: end, localDate: day)
    public static let personBookingChanged = PersonBookingChanged(personId: "ada", bookingId: "bk-7f3a", resourceId: "zh-desk-002",
                                                                  start: start, end: end, localDate: day)
    public static let personBookingRemoved = PersonBookingRemoved(personId: "ada", bookingId: "bk-7f3a")
    public static let favouriteAdded = FavouriteAdded(personId: "ada", siteId: "zurich", resourceId: "zh-desk-001")
    public static let favouriteRemoved = FavouriteRemoved(personId: "ada", resourceId: "zh-desk-001")
}

extension BookingEventExamples {
    /// Every example, wrapped, in registration order.
    public static var all: [BookingEvent] {
        [.siteCreated(siteCreated), .siteCreated(siteCreatedWithAdmins), .siteOpeningHoursSet(openingHoursSet), .siteClosureAdded(closureAdded),
         .siteClosureRemoved(closureRemoved), .sitePolicySet(sitePolicySet), .buildingAdded(buildingAdded), .floorAdded(floorAdded)]
            + resourcesAdded.map(BookingEvent.resourceAdded)
            + [.resourceUpdated(resourceUpdated), .resourceRemoved(resourceRemoved)]
            + resourcePoliciesSet.map(BookingEvent.resourcePolicySet)
            + [.groupDefined(groupDefined)]
            + resourcesRestricted.map(BookingEvent.resourceRestricted)
            + [.bookingPlaced(placed), .bookingPlaced(placedWithContact)]
            + cancelled.map(BookingEvent.bookingCancelled)
            + [.bookingRescheduled(rescheduled), .bookingMovedOut(movedOut), .bookingMovedIn(movedIn), .bookingCheckedIn(checkedIn),
               .bookingReleasedAsNoShow(releasedAsNoShow), .personBookingAdded(personBookingAdded),
               .personBookingChanged(personBookingChanged), .personBookingRemoved(personBookingRemoved),
               .favouriteAdded(favouriteAdded), .favouriteRemoved(favouriteRemoved)]
    }
}
