import Access
import Booking
import Foundation
import Hummingbird

/// `GET /api/sites/{siteId}/utilisation?period=last-week` (role admin): what the weekly
/// utilisation report flow (deploy/flows/weekly-utilisation-report.yaml) mails to a site's
/// administrators.
struct UtilisationRoutes: Sendable {
    let queries: any BookingQueries
    let now: @Sendable () -> Date

    func register(on group: RouterGroup<BookingWebContext>) {
        group.get("sites/:siteId/utilisation") { request, context in
            try context.requirePrincipal().require(.admin)
            let siteId = context.parameters.get("siteId") ?? ""
            try checkIdentifier(siteId, field: "siteId")
            let text = request.uri.queryParameters.get("period") ?? UtilisationPeriod.lastWeek.rawValue
            guard let period = UtilisationPeriod(rawValue: String(text)) else {
                throw Problem.badRequest("period must be one of \(UtilisationPeriod.allCases.map(\.rawValue).joined(separator: ", ")); got \(String(text).debugDescription).",
                                         field: "period")
            }
            guard let utilisation = try await queries.utilisation(siteId: siteId, period: period, now: now()) else {
                throw Problem.notFound("There is no site \(siteId).")
            }
            return try JSONBody.response(utilisation)
        }
    }
}
