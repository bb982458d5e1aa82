import Access
import Booking
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/bookings` and the lifecycle commands on `/api/bookings/{bookingId}/...`, for
/// bookers (their own bookings) and admins.
struct BookingRoutes: Sendable {
    let sender: BookingCommandSender
    /// Where an absent booker time zone is looked up (the site's).
    let queries: any BookingQueries
    let maximumBodyBytes: Int

    func register(on group: RouterGroup<BookingWebContext>) {
        group.post("bookings") { request, context in try await place(request, context) }
        group.post("bookings/:bookingId/cancel") { request, context in
            try await lifecycle(request, context, operation: "cancel", CancelBookingRequest.self) { key, id, body in
                .cancel(CancelBooking(idempotencyKey: key, bookingId: id, resourceId: body.resourceId, reason: body.reason))
            }
        }
        group.post("bookings/:bookingId/change") { request, context in
            try await lifecycle(request, context, operation: "change", ChangeBookingRequest.self) { key, id, body in
                .changeTime(ChangeBookingTime(idempotencyKey: key, bookingId: id, resourceId: body.resourceId, start: body.start, end: body.end))
            }
        }
        group.post("bookings/:bookingId/move") { request, context in
            try await lifecycle(request, context, operation: "move", MoveBookingRequest.self) { key, id, body in
                try checkIdentifier(body.toResourceId, field: "toResourceId")
                return .move(MoveBooking(idempotencyKey: key, bookingId: id, fromResourceId: body.fromResourceId, toResourceId: body.toResourceId))
            }
        }
        group.post("bookings/:bookingId/check-in") { request, context in
            try await lifecycle(request, context, operation: "check-in", CheckInRequest.self) { key, id, body in
                .checkIn(CheckIn(idempotencyKey: key, bookingId: id, resourceId: body.resourceId))
            }
        }
    }

    static let bookingRoles: Set<Access.Role> = [.booker, .admin]

    private func place(_ request: Request, _ context: BookingWebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(anyOf: Self.bookingRoles)
        let key = try IdempotencyKey(request: request, principal: principal, operation: "place")
        let body = try StrictJSON.decode(PlaceBookingRequest.self, from: try await JSONBody.collect(request, limit: maximumBodyBytes))
        try checkIdentifier(body.siteId, field: "siteId")
        try checkIdentifier(body.resourceId, field: "resourceId")
        if let attendees = body.attendees, attendees < 1 {
            throw Problem(status: 422, title: "The request cannot be carried out", detail: "attendees must be at least 1.",
                          code: "invalid_input", field: "attendees")
        }
        // Without a zone the booker is taken to live by the site's clock; an unknown site gets
        // UTC here and its rejection from the handler.
        let zone: String
        if let given = body.bookerTimeZone { zone = given } else { zone = try await queries.site(body.siteId)?.timeZone ?? "UTC" }
        guard TimeZone(identifier: zone) != nil else {
            throw Problem.badRequest("bookerTimeZone \(zone.debugDescription) is not an IANA time zone.", field: "bookerTimeZone")
        }
        let command = BookingCommand.place(PlaceBooking(idempotencyKey: key.commandKey, bookingId: key.bookingId, siteId: body.siteId,
                                                        resourceId: body.resourceId, start: body.start, end: body.end,
                                                        attendees: body.attendees ?? 1, bookerTimeZone: zone,
                                                        // Kept on the booking so flows can write to the booker.
                                                        contact: BookingContact(name: principal.name, email: principal.email)))
        return try await sender.send(command, for: principal, bookingId: key.bookingId, successStatus: .created,
                                     correlationId: key.value)
    }

    private func lifecycle<Body: Codable>(_ request: Request, _ context: BookingWebContext, operation: String, _ type: Body.Type,
                                          make: (String, BookingID, Body) throws -> BookingCommand) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(anyOf: Self.bookingRoles)
        let bookingId = context.parameters.get("bookingId") ?? ""
        try checkIdentifier(bookingId, field: "bookingId")
        let key = try IdempotencyKey(request: request, principal: principal, operation: "\(operation)/\(bookingId)")
        let body = try StrictJSON.decode(Body.self, from: try await JSONBody.collect(request, limit: maximumBodyBytes))
        let command = try make(key.commandKey, bookingId, body)
        for (field, value) in command.resourceFields {
            try checkIdentifier(value, field: field)
        }
        return try await sender.send(command, for: principal, bookingId: bookingId, successStatus: .ok, correlationId: key.value)
    }
}

extension BookingCommand {
    /// The resource ids a lifecycle command names, by request field.
    var resourceFields: [(String, String)] {
        switch self {
        case .cancel(let c): [("resourceId", c.resourceId)]
        case .changeTime(let c): [("resourceId", c.resourceId)]
        case .move(let c): [("fromResourceId", c.fromResourceId), ("toResourceId", c.toResourceId)]
        case .checkIn(let c): [("resourceId", c.resourceId)]
        default: []
        }
    }
}
