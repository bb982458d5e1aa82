import Flows
import Foundation
import Testing

@Suite("Flow values")
struct FlowValueTests {
    @Test("secrets are redacted wherever they appear in a trace value, longest first")
    func redaction() {
        let output: FlowValue = ["request": ["headers": ["Authorization": "Bearer tok-123456"]], "body": ["tok-123456", 3], "status": 202]
        #expect(output.redacting(secrets: ["tok-123456", "tok-1", "ab"]) ==
                ["request": ["headers": ["Authorization": "Bearer [redacted]"]], "body": ["[redacted]", 3], "status": 202])
    }

    @Test("JSON round trip keeps whole numbers whole and reads paths through arrays")
    func json() throws {
        let value: FlowValue = ["n": 3, "x": 2.5, "list": [["name": "a"]], "none": nil, "yes": true]
        let data = try JSONEncoder().encode(value)
        #expect(String(decoding: data, as: UTF8.self).contains("\"n\":3"))
        #expect(try JSONDecoder().decode(FlowValue.self, from: data) == value)
        #expect(value.value(at: ["list", "0", "name"]) == "a")
        #expect(value.value(at: ["list", "1", "name"]) == nil)
    }
}
