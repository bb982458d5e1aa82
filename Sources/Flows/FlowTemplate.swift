import Foundation
import Mustache

/// A Mustache template over a run's data (`{{booking.start}}`, `{{#person.name}}...{{/person.name}}`).
/// Plain-text fields are rendered without HTML escaping; `html` fields escape values.
public struct FlowTemplate: Sendable {
    public enum Escaping: Sendable { case text, html }

    public let source: String
    let template: MustacheTemplate

    /// Reads `source`; a syntax error names the line and column.
    public init(_ source: String, escaping: Escaping = .text) throws(TemplateSyntaxError) {
        self.source = source
        // The pragma switches swift-mustache's default HTML escaping off for text fields.
        let pragma = escaping == .text ? "{{% CONTENT_TYPE: TEXT}}" : ""
        do {
            template = try MustacheTemplate(string: pragma + source)
        } catch let error as MustacheTemplate.ParserError {
            // Columns on the first line count the pragma too; people count from their own text.
            let column = error.context.lineNumber == 1 ? max(1, error.context.columnNumber - pragma.count) : error.context.columnNumber
            throw TemplateSyntaxError(line: error.context.lineNumber, column: column, message: Self.explain(error.error))
        } catch {
            throw TemplateSyntaxError(line: 1, column: 1, message: "\(error)")
        }
    }

    /// The text with every tag replaced from `data`; a missing value renders as nothing.
    public func render(_ data: FlowValue) -> String {
        template.render(data.mustacheContext)
    }

    /// Every variable the template reads, as a path, with the section paths it sits in
    /// (`{{#booking}}{{start}}{{/booking}}` reads `start` inside `booking`).
    public var variables: [TemplateVariable] {
        TemplateVariable.scan(source)
    }

    static func explain(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a tag is not closed with }}"
        case .expectedSectionEnd: "a section ({{#name}}) is never closed ({{/name}})"
        case .invalidSetDelimiter: "the delimiter change is malformed"
        default: "\(error)"
        }
    }
}

/// A template that could not be read.
public struct TemplateSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "template error at line \(line), column \(column): \(message)" }
}

/// A variable a template reads, and the sections it is nested in.
public struct TemplateVariable: Equatable, Sendable {
    public var path: [String]
    public var sections: [[String]]

    /// The paths it may resolve to, innermost section first, as Mustache looks them up.
    public var candidatePaths: [[String]] {
        var candidates: [[String]] = []
        var prefix: [String] = []
        var prefixes: [[String]] = [[]]
        for section in sections {
            prefix += section
            prefixes.append(prefix)
        }
        for prefix in prefixes.reversed() { candidates.append(prefix + path) }
        return candidates
    }

    /// A light scanner for `{{name}}`, `{{{name}}}`, `{{&name}}`, `{{#name}}`, `{{^name}}`,
    /// `{{/name}}`; comments, partials and pragmas are skipped. Syntax is checked by swift-mustache.
    static func scan(_ source: String) -> [TemplateVariable] {
        var found: [TemplateVariable] = []
        var sections: [[String]] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            let triple = rest.first == "{"
            if triple { rest = rest.dropFirst() }
            guard let close = rest.range(of: triple ? "}}}" : "}}") else { break }
            var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            let sigil = tag.first
            if let sigil, "#^/&!>%=<$".contains(sigil) { tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) }
            // Transforms (`{{uppercased(name)}}`) read the name inside the parentheses.
            if let openParen = tag.lastIndex(of: "("), let closeParen = tag.firstIndex(of: ")"), openParen < closeParen {
                tag = String(tag[tag.index(after: openParen)..<closeParen])
            }
            let path = tag.split(separator: ".").map(String.init)
            switch sigil {
            case "!", ">", "%", "=", "<", "$": continue
            case "/": if !sections.isEmpty { sections.removeLast() }
            case "#", "^":
                if !path.isEmpty { found.append(TemplateVariable(path: path, sections: sections)) }
                // Inside an inverted section nothing is there to resolve against but the outside.
                sections.append(sigil == "#" ? path : [])
            default:
                if tag != ".", !path.isEmpty { found.append(TemplateVariable(path: path, sections: sections)) }
            }
        }
        return found
    }
}
