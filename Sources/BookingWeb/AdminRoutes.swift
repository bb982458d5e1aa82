import Access
import Booking
import Foundation
import HTTPTypes
import Hummingbird

/// Catalog administration (role admin): sites, buildings, floors, resources, policies and
/// restriction groups. Bodies are the domain commands' fields without `idempotencyKey` (the
/// header) and `siteId` (the path).
struct AdminRoutes: Sendable {
    let sender: BookingCommandSender
    let maximumBodyBytes: Int

    func register(on group: RouterGroup<BookingWebContext>) {
        group.post("admin/sites") { request, context in
            try await admin(request, context, operation: "create-site", siteIdFromPath: false) { (command: CreateSite) in .createSite(command) }
        }
        group.put("admin/sites/:siteId/opening-hours") { request, context in
            try await admin(request, context, operation: "opening-hours") { (command: SetOpeningHours) in .setOpeningHours(command) }
        }
        group.put("admin/sites/:siteId/policy") { request, context in
            try await admin(request, context, operation: "site-policy") { (command: SetSitePolicy) in .setSitePolicy(command) }
        }
        group.post("admin/sites/:siteId/closures") { request, context in
            try await admin(request, context, operation: "closure") { (command: AddClosure) in .addClosure(command) }
        }
        group.post("admin/sites/:siteId/buildings") { request, context in
            try await admin(request, context, operation: "building") { (command: AddBuilding) in .addBuilding(command) }
        }
        group.post("admin/sites/:siteId/floors") { request, context in
            try await admin(request, context, operation: "floor") { (command: AddFloor) in .addFloor(command) }
        }
        group.post("admin/sites/:siteId/resources") { request, context in
            try await admin(request, context, operation: "resource") { (command: AddResource) in .addResource(command) }
        }
        group.put("admin/sites/:siteId/resources/:resourceId/policy") { request, context in
            try await admin(request, context, operation: "resource-policy", extra: ["resourceId"]) { (command: SetResourcePolicy) in .setResourcePolicy(command) }
        }
        group.put("admin/sites/:siteId/resources/:resourceId/restriction") { request, context in
            try await admin(request, context, operation: "restriction", extra: ["resourceId"]) { (command: RestrictResource) in .restrictResource(command) }
        }
        group.post("admin/sites/:siteId/groups") { request, context in
            try await admin(request, context, operation: "group") { (command: DefineGroup) in .defineGroup(command) }
        }
    }

    /// Reads the body as the command `Command` once the header's key and the path's ids are
    /// filled in; the client may not set those itself.
    private func admin<Command: Codable>(_ request: Request, _ context: BookingWebContext, operation: String, siteIdFromPath: Bool = true,
                                         extra: [String] = [], make: (Command) -> BookingCommand) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.admin)
        var pathFields = extra
        if siteIdFromPath { pathFields.append("siteId") }
        var filled: [String: String] = [:]
        for field in pathFields {
            let value = context.parameters.get(field) ?? ""
            try checkIdentifier(value, field: field)
            filled[field] = value
        }
        let key = try IdempotencyKey(request: request, principal: principal,
                                     operation: ([operation] + pathFields.compactMap { filled[$0] }).joined(separator: "/"))
        let data = try await JSONBody.collect(request, limit: maximumBodyBytes)
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Problem.badRequest("The body must be a JSON object.", code: "malformed_json")
        }
        for field in ["idempotencyKey"] + pathFields where object[field] != nil {
            throw Problem.badRequest("\(field) is not a field of this request (it comes from the \(field == "idempotencyKey" ? "Idempotency-Key header" : "path")).",
                                     field: field, code: "unknown_field")
        }
        object["idempotencyKey"] = key.commandKey
        for (field, value) in filled { object[field] = value }
        let command = make(try StrictJSON.decode(Command.self, from: try JSONSerialization.data(withJSONObject: object)))
        return try await sender.send(command, for: principal, bookingId: nil, successStatus: operation == "create-site" ? .created : .ok,
                                     correlationId: key.value)
    }
}
