import EventStore
import Foundation

/// Decodes request bodies strictly: malformed JSON, a missing field, a wrong type and a field
/// the request type does not have are all 400 problems naming the field. Unknown fields are
/// found by encoding the decoded value again and looking for input keys it no longer has, so
/// every `Codable` request type gets the check without listing its keys twice.
enum StrictJSON {
    static func decode<Value: Codable>(_ type: Value.Type, from body: Data) throws(Problem) -> Value {
        guard !body.isEmpty else { throw .badRequest("The request needs a JSON body.") }
        let input: Any
        do {
            input = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            throw .badRequest("The body is not valid JSON.", code: "malformed_json")
        }
        guard input is [String: Any] else { throw .badRequest("The body must be a JSON object.", code: "malformed_json") }
        let value: Value
        do {
            value = try EventCoding.decoder.decode(Value.self, from: body)
        } catch let error as DecodingError {
            let (field, message) = explain(error)
            throw .badRequest(message, field: field)
        } catch {
            throw .badRequest("The body could not be read: \(error)")
        }
        let echoed: Any
        do {
            echoed = try JSONSerialization.jsonObject(with: try EventCoding.encoder.encode(value), options: [.fragmentsAllowed])
        } catch {
            throw .badRequest("The body could not be read: \(error)")
        }
        if let unknown = unknownKey(in: input, comparedWith: echoed, path: "") {
            throw .badRequest("\(unknown) is not a field of this request.", field: unknown, code: "unknown_field")
        }
        return value
    }

    /// The first key of `input` (dotted path) that `known` lacks; null input values are fine,
    /// since optionals left empty are not encoded back.
    static func unknownKey(in input: Any, comparedWith known: Any, path: String) -> String? {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = knownObject[key] else {
                    if object[key] is NSNull { continue }
                    return child
                }
                if let found = unknownKey(in: object[key]!, comparedWith: knownValue, path: child) { return found }
            }
        } else if let array = input as? [Any], let knownArray = known as? [Any] {
            for (index, element) in array.enumerated() where index < knownArray.count {
                if let found = unknownKey(in: element, comparedWith: knownArray[index], path: "\(path)[\(index)]") { return found }
            }
        }
        return nil
    }

    /// The field a decoding error is about and what is wrong with it, in words.
    static func explain(_ error: DecodingError) -> (field: String?, message: String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return (field, "\(field) is missing.")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return (field, "\(field) has the wrong type (expected \(describe(type))).")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return (field, "\(field) must not be null (expected \(describe(type))).")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? (nil, "The body is not valid JSON.") : (field, "\(field) is not valid: \(context.debugDescription)")
        @unknown default:
            return (nil, "The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is UInt64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is Date.Type: "an RFC 3339 time"
        default: type is any Collection.Type ? "a list" : "an object"
        }
    }
}
