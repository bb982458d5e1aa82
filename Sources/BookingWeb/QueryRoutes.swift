import Access
import Booking
import Foundation
import Hummingbird

/// Read endpoints for the page: sites, a site's catalog, availability, and my bookings.
struct QueryRoutes: Sendable {
    let queries: any BookingQueries
    let now: @Sendable () -> Date

    func register(on group: RouterGroup<BookingWebContext>) {
        group.get("sites") { _, context in
            try requireBooker(context)
            return try JSONBody.response(try await queries.sites())
        }
        group.get("sites/:siteId") { request, context in
            try requireBooker(context)
            let siteId = try pathId(context, "siteId")
            let filters = try Filters(request)
            guard let catalog = try await queries.catalog(siteId: siteId, kind: filters.kind, floorId: filters.floorId) else {
                throw Problem.notFound("There is no site \(siteId).")
            }
            return try JSONBody.response(catalog)
        }
        group.get("sites/:siteId/availability") { request, context in
            try requireBooker(context)
            let siteId = try pathId(context, "siteId")
            let filters = try Filters(request)
            guard let text = request.uri.queryParameters.get("date") else {
                throw Problem.badRequest("date is missing (YYYY-MM-DD in the site's time zone).", field: "date")
            }
            guard let date = LocalDate(text) else { throw Problem.badRequest("date \(text.debugDescription) is not a YYYY-MM-DD date.", field: "date") }
            let days = try filters.days()
            guard let result = try await queries.availability(siteId: siteId, date: date, days: days, kind: filters.kind, floorId: filters.floorId,
                                                              resourceId: filters.resourceId, now: now()) else {
                throw Problem.notFound("There is no site \(siteId).")
            }
            return try JSONBody.response(result)
        }
        group.get("me/bookings") { _, context in
            let principal = try requireBooker(context)
            return try JSONBody.response(try await queries.bookings(of: principal.subject, now: now()))
        }
    }

    @discardableResult
    private func requireBooker(_ context: BookingWebContext) throws -> Access.Principal {
        let principal = try context.requirePrincipal()
        try principal.require(anyOf: BookingRoutes.bookingRoles)
        return principal
    }

    private func pathId(_ context: BookingWebContext, _ name: String) throws(Problem) -> String {
        let value = context.parameters.get(name) ?? ""
        try checkIdentifier(value, field: name)
        return value
    }

    /// The query string filters, each checked.
    struct Filters {
        var kind: ResourceKind?
        var floorId: FloorID?
        var resourceId: ResourceID?
        let request: Request

        init(_ request: Request) throws(Problem) {
            self.request = request
            let query = request.uri.queryParameters
            if let text = query.get("kind") {
                guard let kind = ResourceKind(rawValue: text) else {
                    throw .badRequest("kind must be one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")).", field: "kind")
                }
                self.kind = kind
            }
            if let floor = query.get("floorId") {
                try checkIdentifier(floor, field: "floorId")
                floorId = floor
            }
            if let resource = query.get("resourceId") {
                try checkIdentifier(resource, field: "resourceId")
                resourceId = resource
            }
        }

        /// `days`: 1 (a day, the default) up to 7 (a week).
        func days() throws(Problem) -> Int {
            guard let text = request.uri.queryParameters.get("days") else { return 1 }
            guard let days = Int(text), (1...7).contains(days) else { throw .badRequest("days must be a whole number from 1 to 7.", field: "days") }
            return days
        }
    }
}
