import Foundation

/// An expression that could not be read: where (1-based column) and why.
public struct ExpressionSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var column: Int
    public var message: String
    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }
    public var description: String { "at column \(column): \(message)" }
}

extension FlowExpression {
    /// Reads `text`; the error names the column and what was expected there.
    public init(parsing text: String) throws(ExpressionSyntaxError) {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokens(of: text))
        let expression = try parser.parseOr()
        guard case .end = parser.current.kind else {
            throw ExpressionSyntaxError(column: parser.current.column, message: "unexpected \(parser.current.kind.shown) after a complete expression")
        }
        self = expression
    }
}

struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case duration(FlowDuration)
        case string(String)
        case identifier(String)
        case symbol(String)
        case end

        var shown: String {
            switch self {
            case .number(let value): "number \(FlowValue.number(value).plainText)"
            case .duration(let value): "duration \(value)"
            case .string(let value): "text '\(value)'"
            case .identifier(let name): "'\(name)'"
            case .symbol(let symbol): "'\(symbol)'"
            case .end: "end of expression"
            }
        }
    }

    var kind: Kind
    /// 1-based column of the token's first character.
    var column: Int
}

enum ExpressionLexer {
    static let symbols = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "(", ")", "[", "]", ",", "."]

    static func tokens(of text: String) throws(ExpressionSyntaxError) -> [ExpressionToken] {
        let characters = Array(text)
        var tokens: [ExpressionToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            if character.isWhitespace {
                index += 1
            } else if character.isASCII, character.isNumber {
                var end = index
                while end < characters.count, characters[end].isASCII,
                      characters[end].isNumber || (characters[end] == "." && end + 1 < characters.count && characters[end + 1].isNumber
                                                   && !(tokens.last?.kind == .symbol("."))) { end += 1 }
                let numberText = String(characters[index..<end])
                // A unit letter right after the digits makes a duration: `15m`, `1h30m`.
                if end < characters.count, characters[end].isLetter {
                    var unitEnd = end
                    while unitEnd < characters.count, characters[unitEnd].isASCII, characters[unitEnd].isLetter || characters[unitEnd].isNumber { unitEnd += 1 }
                    let durationText = String(characters[index..<unitEnd])
                    do {
                        tokens.append(ExpressionToken(kind: .duration(try FlowDuration(parsing: durationText)), column: column))
                    } catch {
                        throw ExpressionSyntaxError(column: column, message: error.description)
                    }
                    index = unitEnd
                } else {
                    guard let number = Double(numberText) else {
                        throw ExpressionSyntaxError(column: column, message: "'\(numberText)' is not a number")
                    }
                    tokens.append(ExpressionToken(kind: .number(number), column: column))
                    index = end
                }
            } else if character == "'" || character == "\"" {
                var end = index + 1
                var value = ""
                while end < characters.count, characters[end] != character {
                    if characters[end] == "\\", end + 1 < characters.count { end += 1 }
                    value.append(characters[end])
                    end += 1
                }
                guard end < characters.count else {
                    throw ExpressionSyntaxError(column: column, message: "text starting here has no closing \(character)")
                }
                tokens.append(ExpressionToken(kind: .string(value), column: column))
                index = end + 1
            } else if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                tokens.append(ExpressionToken(kind: .identifier(String(characters[index..<end])), column: column))
                index = end
            } else if let symbol = symbols.first(where: { matches($0, characters, at: index) }) {
                tokens.append(ExpressionToken(kind: .symbol(symbol), column: column))
                index += symbol.count
            } else {
                let hint = character == "=" ? " (compare with ==)" : character == "&" || character == "|" ? " (write and / or)" : ""
                throw ExpressionSyntaxError(column: column, message: "'\(character)' is not part of the expression language\(hint)")
            }
        }
        tokens.append(ExpressionToken(kind: .end, column: characters.count + 1))
        return tokens
    }

    static func matches(_ symbol: String, _ characters: [Character], at index: Int) -> Bool {
        let symbolCharacters = Array(symbol)
        guard index + symbolCharacters.count <= characters.count else { return false }
        return Array(characters[index..<index + symbolCharacters.count]) == symbolCharacters
    }
}

/// Recursive descent, loosest first: or, and, not, comparison/in, + and -, unary minus, primary.
struct ExpressionParser {
    var tokens: [ExpressionToken]
    var position = 0

    var current: ExpressionToken { tokens[position] }

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    func isWord(_ word: String) -> Bool { current.kind == .identifier(word) }
    func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }

    mutating func parseOr() throws(ExpressionSyntaxError) -> FlowExpression {
        var left = try parseAnd()
        while isWord("or") || isSymbol("||") {
            advance()
            left = .binary(.or, left, try parseAnd())
        }
        return left
    }

    mutating func parseAnd() throws(ExpressionSyntaxError) -> FlowExpression {
        var left = try parseNot()
        while isWord("and") || isSymbol("&&") {
            advance()
            left = .binary(.and, left, try parseNot())
        }
        return left
    }

    mutating func parseNot() throws(ExpressionSyntaxError) -> FlowExpression {
        if isWord("not") || isSymbol("!") {
            advance()
            return .not(try parseNot())
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(ExpressionSyntaxError) -> FlowExpression {
        let left = try parseAdditive()
        let comparisons: [String: FlowExpression.BinaryOperator] = ["==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual]
        if case .symbol(let symbol) = current.kind, let op = comparisons[symbol] {
            advance()
            return .binary(op, left, try parseAdditive())
        }
        if isWord("in") {
            advance()
            return .binary(.in, left, try parseAdditive())
        }
        if isWord("not"), position + 1 < tokens.count, tokens[position + 1].kind == .identifier("in") {
            advance()
            advance()
            return .binary(.notIn, left, try parseAdditive())
        }
        return left
    }

    mutating func parseAdditive() throws(ExpressionSyntaxError) -> FlowExpression {
        var left = try parseUnary()
        while isSymbol("+") || isSymbol("-") {
            let op: FlowExpression.BinaryOperator = isSymbol("+") ? .plus : .minus
            advance()
            left = .binary(op, left, try parseUnary())
        }
        return left
    }

    mutating func parseUnary() throws(ExpressionSyntaxError) -> FlowExpression {
        if isSymbol("-") {
            advance()
            return .negate(try parseUnary())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ExpressionSyntaxError) -> FlowExpression {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return .literal(.number(value))
        case .duration(let value):
            advance()
            return .literal(.duration(value))
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .symbol("("):
            advance()
            let inner = try parseOr()
            try expect(")", closing: "(", openedAt: token.column)
            return inner
        case .symbol("["):
            advance()
            var items: [FlowExpression] = []
            if !isSymbol("]") {
                items.append(try parseOr())
                while isSymbol(",") {
                    advance()
                    items.append(try parseOr())
                }
            }
            try expect("]", closing: "[", openedAt: token.column)
            return .list(items)
        case .identifier(let name):
            switch name {
            case "true": advance(); return .literal(.bool(true))
            case "false": advance(); return .literal(.bool(false))
            case "null": advance(); return .literal(.null)
            case "now": advance(); return .now
            case "and", "or", "not", "in":
                throw ExpressionSyntaxError(column: token.column, message: "expected a value, found '\(name)'")
            default:
                advance()
                var path = [name]
                while isSymbol(".") {
                    advance()
                    switch current.kind {
                    case .identifier(let part): path.append(part)
                    case .number(let index) where index >= 0 && index.rounded() == index: path.append(String(Int(index)))
                    default:
                        throw ExpressionSyntaxError(column: current.column, message: "expected a field name after '.', found \(current.kind.shown)")
                    }
                    advance()
                }
                return .path(path, column: token.column)
            }
        default:
            throw ExpressionSyntaxError(column: token.column, message: "expected a value, found \(token.kind.shown)")
        }
    }

    mutating func expect(_ symbol: String, closing opener: String, openedAt column: Int) throws(ExpressionSyntaxError) {
        guard isSymbol(symbol) else {
            throw ExpressionSyntaxError(column: current.column, message: "expected '\(symbol)' to close the '\(opener)' at column \(column), found \(current.kind.shown)")
        }
        advance()
    }
}
