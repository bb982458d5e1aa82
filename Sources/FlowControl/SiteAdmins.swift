import Booking
import EventStore
import Foundation

/// The administrators' addresses of each site, from its `site.created` (the site aggregate's
/// state does not keep them: its read model is compared with it field by field). Kept once read:
/// no command changes them after creation.
actor SiteAdmins {
    private let store: EventStore
    private var known: [SiteID: [String]] = [:]

    init(store: EventStore) { self.store = store }

    func emails(of siteId: SiteID, subject: String) async throws -> [String] {
        if let emails = known[siteId] { return emails }
        let created = try await store.read(subject: subject).lazy.compactMap { $0.event as? SiteCreated }.first
        guard let created else { return [] }
        let emails = created.adminEmails ?? []
        known[siteId] = emails
        return emails
    }
}
