import Flows
import Foundation
import Testing

@Suite("Expression language")
struct FlowExpressionTests {
    let data: FlowValue = [
        "booking": ["kind": "desk", "attendees": 3, "start": "2026-03-10T08:00:00Z", "siteId": "zurich", "checkedIn": false],
        "event": ["type": "booking.placed"],
    ]
    let now = utc("2026-03-09T08:00:00Z")

    func evaluate(_ text: String) throws -> ExpressionValue {
        try FlowExpression(parsing: text).evaluate(over: data, now: now)
    }

    @Test("comparison, and/or/not, in, precedence", arguments: [
        ("booking.kind == 'desk'", true),
        ("booking.kind != \"desk\"", false),
        ("booking.attendees >= 3 and booking.attendees < 4", true),
        ("booking.attendees > 5 or booking.kind == 'desk'", true),
        ("not booking.checkedIn", true),
        ("!(booking.attendees == 3)", false),
        ("booking.siteId in ['zurich', 'basel']", true),
        ("booking.siteId not in ['zurich', 'basel']", false),
        ("'zur' in booking.siteId", true),
        ("booking.missing == null", true),
        ("true or booking.attendees > 'x'", true),
        ("false and booking.attendees > 'x'", false),
        ("1 + 2 * 0 == 3", false),
    ])
    func conditions(_ text: String, _ expected: Bool) throws {
        if text.contains("*") {
            // No multiplication in the language: the parse error says where.
            #expect(throws: ExpressionSyntaxError.self) { try FlowExpression(parsing: text) }
        } else {
            #expect(try evaluate(text) == .bool(expected), "\(text)")
        }
    }

    @Test("date arithmetic: a booking's start minus a duration, compared with now; time differences are durations")
    func dates() throws {
        #expect(try evaluate("booking.start - 24h") == .time(utc("2026-03-09T08:00:00Z")))
        #expect(try evaluate("booking.start - 24h <= now") == .bool(true))
        #expect(try evaluate("booking.start - 1h30m > now") == .bool(true))
        #expect(try evaluate("booking.start - now") == .duration(.hours(24)))
        #expect(try evaluate("booking.start - now == 1d") == .bool(true))
        #expect(try evaluate("now + 15m") == .time(utc("2026-03-09T08:15:00Z")))
        #expect(try evaluate("booking.start == '2026-03-10T09:00:00+01:00'") == .bool(true))
        #expect(try evaluate("-15m + 1h") == .duration(.minutes(45)))
    }

    @Test("parse errors name the column and what was expected", arguments: [
        ("booking.kind = 'desk'", 14, "compare with =="),
        ("(booking.attendees > 2", 23, "expected ')' to close the '(' at column 1"),
        ("booking.kind == 'desk", 17, "no closing '"),
        ("booking. == 2", 10, "expected a field name after '.'"),
        ("booking.attendees >", 20, "expected a value, found end of expression"),
        ("booking.start - 15x", 17, "not a duration"),
        ("a b", 3, "unexpected 'b' after a complete expression"),
    ])
    func parseErrors(_ text: String, _ column: Int, _ fragment: String) {
        #expect {
            try FlowExpression(parsing: text)
        } throws: { error in
            guard let error = error as? ExpressionSyntaxError else { return false }
            return error.column == column && error.message.contains(fragment)
        }
    }

    @Test("type mismatches are evaluation errors, not crashes or silent falses")
    func typeErrors() {
        #expect(throws: ExpressionEvaluationError(message: "cannot compare text with a number using >")) { try evaluate("booking.kind > 3") }
        #expect(throws: ExpressionEvaluationError.self) { try evaluate("booking.kind - 15m") }
        #expect(throws: ExpressionEvaluationError.self) { try FlowExpression(parsing: "booking.attendees").isTrue(over: data, now: now) }
    }

    @Test("the paths an expression reads are listed with their columns (for the validator)")
    func paths() throws {
        let expression = try FlowExpression(parsing: "booking.kind == 'desk' and event.type in ['a']")
        #expect(expression.paths.map(\.path) == [["booking", "kind"], ["event", "type"]])
        #expect(expression.paths.map(\.column) == [1, 28])
    }
}

@Suite("Durations")
struct FlowDurationTests {
    @Test("short and ISO 8601 forms", arguments: [
        ("15m", 900), ("24h", 86_400), ("1h30m", 5400), ("2d", 172_800), ("45s", 45), ("1w", 604_800),
        ("PT15M", 900), ("P1DT2H", 93_600), ("PT1H30M10S", 5410), ("P1W", 604_800), ("0s", 0),
    ])
    func parses(_ text: String, _ seconds: Int) throws {
        #expect(try FlowDuration(parsing: text).seconds == seconds)
    }

    @Test("bad durations say why", arguments: ["", "15", "m", "15x", "1m1h", "P1Y", "PT", "5 minutes"])
    func refuses(_ text: String) {
        #expect(throws: FlowDurationError.self) { try FlowDuration(parsing: text) }
    }

    @Test("the short form prints largest units first")
    func prints() {
        #expect(FlowDuration(seconds: 93_610).description == "1d2h10s")
    }
}
