import Foundation

/// `schemas/openapi/booking.yaml`, read as JSON (the file is JSON after its `#` comment lines),
/// with a small JSON Schema check: the keywords the spec uses (`$ref` into components, `type`,
/// `required`, `properties`, `additionalProperties: false`, `items`, `enum`).
// @unchecked: the parsed document (Foundation JSON objects) is only read after `load`.
struct OpenAPISpec: @unchecked Sendable {
    let document: [String: Any]

    static func load() throws -> OpenAPISpec {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("schemas/openapi/booking.yaml"), encoding: .utf8)
        let json = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        guard let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw HarnessError("booking.yaml is not a JSON object")
        }
        return OpenAPISpec(document: document)
    }

    var paths: [String: [String: Any]] { document["paths"] as? [String: [String: Any]] ?? [:] }

    /// Every (method, path template) the spec describes.
    var operations: [(method: String, path: String)] {
        paths.flatMap { path, item in item.keys.map { (method: $0, path: path) } }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// The schema of the response `status` of an operation for `contentType`.
    func responseSchema(_ method: String, _ path: String, status: Int, contentType: String) -> [String: Any]? {
        let operation = paths[path]?[method] as? [String: Any]
        let response = (operation?["responses"] as? [String: Any])?[String(status)] as? [String: Any]
        return ((response?["content"] as? [String: Any])?[contentType] as? [String: Any])?["schema"] as? [String: Any]
    }

    /// Where `value` breaks `schema`, as readable lines (empty: it conforms).
    func violations(of value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
            guard let target = components?[name] as? [String: Any] else { return ["\(path): unresolved \(reference)"] }
            return violations(of: value, against: target, at: path)
        }
        var problems: [String] = []
        if let type = schema["type"] as? String, !Self.matches(value, type) {
            return ["\(path): expected \(type), got \(value)"]
        }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
            problems.append("\(path): \(text) is not one of \(allowed)")
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path).\(name): required but missing")
            }
            for (name, child) in object {
                if let property = properties[name] {
                    problems += violations(of: child, against: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path).\(name): not in the spec")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, element) in array.enumerated() {
                problems += violations(of: element, against: items, at: "\(path)[\(index)]")
            }
        }
        return problems
    }

    static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        // JSONSerialization gives NSNumber for numbers and booleans alike; close enough here.
        case "boolean": value is Bool
        case "integer": (value as? NSNumber).map { $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "number": value is NSNumber
        default: true
        }
    }
}
