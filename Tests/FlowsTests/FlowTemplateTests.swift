import Flows
import Foundation
import Testing

@Suite("Templates")
struct FlowTemplateTests {
    let data: FlowValue = ["person": ["name": "Ada & Co", "email": "ada@example.com"], "booking": ["attendees": 3]]

    @Test("text fields are not HTML-escaped; html fields are; numbers print as written")
    func rendering() throws {
        #expect(try FlowTemplate("Hello {{person.name}}, {{booking.attendees}} people").render(data) == "Hello Ada & Co, 3 people")
        #expect(try FlowTemplate("<b>{{person.name}}</b>", escaping: .html).render(data) == "<b>Ada &amp; Co</b>")
        #expect(try FlowTemplate("{{#person}}{{email}}{{/person}}{{missing}}").render(data) == "ada@example.com")
    }

    @Test("a rendered recipient that is not an address is a clear error")
    func recipients() throws {
        #expect(try EmailAddress.list(from: "ada@example.com, bob@example.org") == ["ada@example.com", "bob@example.org"])
        #expect(throws: InvalidEmailAddress(text: "Ada", reason: "is not an email address (expected name@example.com)")) {
            try EmailAddress.list(from: try FlowTemplate("{{person.name.first}}Ada").render(data))
        }
        #expect(throws: InvalidEmailAddress.self) { try EmailAddress.list(from: " ") }
    }
}

@Suite("Template syntax errors")
struct TemplateSyntaxErrorTests {
    @Test("an unclosed tag is reported at its line, counted in the editor's own text")
    func position() {
        #expect {
            try FlowTemplate("Hello\n{{#person}}{{name}}")
        } throws: { error in
            guard let error = error as? TemplateSyntaxError else { return false }
            return error.line >= 2 && error.message.contains("never closed")
        }
    }
}
