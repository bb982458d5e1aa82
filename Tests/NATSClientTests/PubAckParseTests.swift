@testable import NATSClient
import Foundation
import Testing

@Suite("PubAck parsing")
struct PubAckParseTests {
    @Test("the fast parse agrees with JSONDecoder on every PubAck shape the server sends")
    func agreesWithDecoder() throws {
        let samples = [
            #"{"stream":"BOOKINGS","seq":42}"#,
            #"{"stream":"BOOKINGS","seq":42,"duplicate":true}"#,
            #"{"stream":"B", "domain":"hub", "seq":18446744073709551615}"#,
            #"{"stream":"B","seq":7,"batch":"3c96857c-8e72","count":2}"#,
            " {\n \"stream\" : \"B\" , \"seq\" : 1 , \"duplicate\" : false } ",
        ]
        for sample in samples {
            let fast = try #require(PubAck.parseFlat(Array(sample.utf8)), "\(sample)")
            #expect(fast == (try JSONDecoder().decode(PubAck.self, from: Data(sample.utf8))), "\(sample)")
        }
    }

    @Test("anything else is left to the full decoder: errors, escapes, unknown keys, broken JSON")
    func declinesTheRest() {
        for sample in [
            #"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 5"},"stream":"B","seq":0}"#,
            #"{"stream":"B\"x","seq":1}"#, #"{"stream":"B","seq":1,"new":1}"#, #"{"stream":"B","seq":-1}"#,
            #"{"stream":"B","seq":1"#, #"{"stream":"B"}"#, "{}", "", "null", #"{"stream":"B","seq":1} x"#,
            #"{"stream":"B","seq":99999999999999999999}"#,
        ] {
            #expect(PubAck.parseFlat(Array(sample.utf8)) == nil, "\(sample)")
        }
    }
}
