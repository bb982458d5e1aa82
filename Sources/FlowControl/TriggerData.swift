import Booking
import Flows
import Foundation

/// Builds the data a run starts with, under exactly the names `FlowVariables` promises. What a
/// booking lacks (no contact on an old booking, a resource removed since) renders as empty.
public enum TriggerData {
    /// Installation-wide names every run can read.
    public static func common(installationName: String, installationURL: String, now: Date) -> FlowValue {
        ["now": .string(FlowTime.format(now)),
         "installation": ["name": .string(installationName), "url": .string(installationURL)]]
    }

    /// `booking.*`, `person.*`, `resource.*`, `site.*` of one booking.
    public static func booking(_ facts: BookingFacts, site: SiteState?) -> FlowValue {
        let zone = site?.site.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
        let resource = site?.resources[facts.resourceId]
        let booking: FlowValue = [
            "bookingId": .string(facts.bookingId), "resourceId": .string(facts.resourceId), "siteId": .string(facts.siteId),
            "personId": .string(facts.personId), "kind": .string(facts.kind?.rawValue ?? ""),
            "start": .string(facts.start.map(FlowTime.format) ?? ""), "end": .string(facts.end.map(FlowTime.format) ?? ""),
            "startLocal": .string(facts.start.map { local($0, in: zone) } ?? ""), "endLocal": .string(facts.end.map { local($0, in: zone) } ?? ""),
            "attendees": .number(Double(facts.attendees)), "bookerTimeZone": .string(facts.bookerTimeZone),
            "checkedIn": .bool(facts.checkedIn), "status": .string(facts.status.rawValue),
        ]
        return [
            "booking": booking,
            "person": ["id": .string(facts.personId), "name": .string(facts.contact?.name ?? ""), "email": .string(facts.contact?.email ?? "")],
            "resource": ["id": .string(facts.resourceId), "name": .string(resource?.name ?? ""), "kind": .string(resource?.kind.rawValue ?? facts.kind?.rawValue ?? "")],
            "site": self.site(site, id: facts.siteId),
        ]
    }

    /// `site.*`: id, name, zone and the administrators' addresses.
    public static func site(_ site: SiteState?, id: SiteID, adminEmails admins: [String] = []) -> FlowValue {
        let definition = site?.site
        return ["id": .string(id), "name": .string(definition?.name ?? ""), "timeZone": .string(definition?.timeZone ?? ""),
                "adminEmails": .string(admins.joined(separator: ", ")), "admins": .array(admins.map { .string($0) })]
    }

    /// A time as people at the site read it, e.g. `2026-03-02 09:00`.
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let text = String(value ?? 0); return text.count < 2 ? "0" + text : text }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }

    /// Merges objects (later keys win at the top level, objects one level down are merged).
    public static func merge(_ values: FlowValue...) -> FlowValue {
        var result: [String: FlowValue] = [:]
        for case .object(let fields) in values {
            for (key, value) in fields {
                if case .object(let existing)? = result[key], case .object(let more) = value {
                    result[key] = .object(existing.merging(more) { _, new in new })
                } else {
                    result[key] = value
                }
            }
        }
        return .object(result)
    }
}
