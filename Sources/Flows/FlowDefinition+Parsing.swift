import Foundation
import Yams

/// A definition that is not even well-formed YAML/JSON of the right shape (before validation).
public struct FlowParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where, as a path (`steps[2].type`), when known.
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

extension FlowDefinition {
    /// Reads a definition from YAML or JSON (JSON is YAML, but a JSON document is read as JSON
    /// so its errors speak JSON).
    public init(parsing text: String) throws(FlowParseError) {
        let trimmed = text.drop { $0.isWhitespace }
        do {
            if trimmed.first == "{" {
                self = try JSONDecoder().decode(FlowDefinition.self, from: Data(text.utf8))
            } else {
                self = try YAMLDecoder().decode(FlowDefinition.self, from: text)
            }
        } catch let error as DecodingError {
            throw Self.explain(error)
        } catch let error as YamlError {
            throw FlowParseError(path: "", message: "not valid YAML: \(error)")
        } catch {
            throw FlowParseError(path: "", message: "not valid JSON or YAML: \(error.localizedDescription)")
        }
    }

    /// The stable JSON form: sorted keys, no escaped slashes, pretty-printed. Equal definitions
    /// give equal bytes (what the `FLOWS` events store and what the schema test checks).
    public func stableJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    static func explain(_ error: DecodingError) -> FlowParseError {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return FlowParseError(path: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            return FlowParseError(path: path(context.codingPath), message: "should be \(describe(type))")
        case .valueNotFound(let type, let context):
            return FlowParseError(path: path(context.codingPath), message: "should be \(describe(type)), found nothing")
        case .dataCorrupted(let context):
            return FlowParseError(path: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return FlowParseError(path: "", message: "\(error)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}
