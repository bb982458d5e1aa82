import Mail
import Testing

@Suite struct MailAddressTests {
    @Test(arguments: [
        "ada@example.test", "Ada.Lovelace+flows@mail.example.co.uk", "o'brien@example.test", "x_1-2@a-b.example",
    ])
    func givenAWellFormedAddress_whenParsed_thenItIsKept(_ text: String) throws {
        #expect(try MailAddress(parsing: text).address == text)
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("ada", "it has no @"),
        ("ada@@example.test", "it has more than one @"),
        ("@example.test", "nothing before the @"),
        ("ada@", "nothing after the @"),
        ("ada@localhost", "has no dot"),
        ("ada lovelace@example.test", "contains \" \""),
        ("ada..l@example.test", "empty dot-separated piece"),
        ("ada@exa_mple.test", "may hold only letters"),
        ("ada@-example.test", "inner hyphens"),
        ("{{booking.email}}", "it has no @"),
        ("ada@example.test\r\nBcc: eve@evil.test", "line break"),
    ])
    func givenAMalformedAddress_whenParsed_thenTheErrorSaysWhy(_ text: String, _ reason: String) {
        let error = #expect(throws: MailMessageError.self) { try MailAddress(parsing: text) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("invalid mail address") == true)
    }

    @Test func givenANameAndAddress_whenParsed_thenBothAreKept() throws {
        let quoted = try MailAddress(parsing: "\"Lovelace, Ada\" <ada@example.test>")
        #expect(quoted.name == "Lovelace, Ada")
        #expect(quoted.address == "ada@example.test")
        let plain = try MailAddress(parsing: "  Ada Lovelace <ada@example.test> ")
        #expect(plain.name == "Ada Lovelace")
        #expect(plain.description == "Ada Lovelace <ada@example.test>")
        #expect(plain.domain == "example.test")
    }

    @Test func givenAMalformedAddress_whenSendingFails_thenTheTransportErrorIsNotRetryable() {
        let error = #expect(throws: MailMessageError.self) { try MailAddress(parsing: "not an address") }
        let transportError = MailTransportError.invalid(error!)
        #expect(!transportError.isRetryable)
        #expect(transportError.kind == .invalidMessage)
        #expect(transportError.description == "invalid mail address \"not an address\": it has no @")
    }
}

@Suite struct MailMessageTests {
    @Test func givenTheSameRunAndStep_whenTheMessageIDIsDerived_thenItIsTheSameEveryTime() throws {
        let first = try MailMessageID.forStep(runID: "run-42", stepID: "confirm", domain: "almanac.test")
        let retried = try MailMessageID.forStep(runID: "run-42", stepID: "confirm", domain: "almanac.test")
        let otherStep = try MailMessageID.forStep(runID: "run-42", stepID: "remind", domain: "almanac.test")
        #expect(first == retried)
        #expect(first.value == "<almanac.run-42.confirm@almanac.test>")
        #expect(first.bare == "almanac.run-42.confirm@almanac.test")
        #expect(first != otherStep)
    }

    @Test(arguments: ["", "a.b", "a b", "a>b", String(repeating: "x", count: 65)])
    func givenAnIdentifierThatIsNotASubjectToken_whenTheMessageIDIsDerived_thenItIsRefused(_ stepID: String) {
        #expect(throws: MailMessageError.self) { try MailMessageID.forStep(runID: "run-1", stepID: stepID, domain: "almanac.test") }
    }

    @Test func givenNoRecipientsOrNoBody_whenBuilt_thenTheMessageIsRefused() throws {
        let id = try MailMessageID("<a@b.test>")
        let from = try MailAddress("noreply@almanac.test")
        #expect(throws: MailMessageError.noRecipients) {
            try MailMessage(from: from, to: [], subject: "x", textBody: "y", messageID: id)
        }
        #expect(throws: MailMessageError.noBody) {
            try MailMessage(from: from, to: [from], subject: "x", messageID: id)
        }
    }

    @Test func givenHeadersThatWouldBreakTheMessage_whenBuilt_thenTheyAreRefused() throws {
        let id = try MailMessageID("<a@b.test>")
        let from = try MailAddress("noreply@almanac.test")
        for header in [MailHeader(name: "X-Bad", value: "a\r\nBcc: eve@evil.test"), MailHeader(name: "Subject", value: "twice"), MailHeader(name: "X Bad", value: "v")] {
            #expect(throws: MailMessageError.self) {
                try MailMessage(from: from, to: [from], subject: "x", textBody: "y", headers: [header], messageID: id)
            }
        }
    }

    @Test func givenASubjectWithLineBreaks_whenBuilt_thenItIsOneLine() throws {
        let message = try sampleMessage(subject: "Desk 7\r\nBcc: eve@evil.test")
        #expect(message.subject == "Desk 7  Bcc: eve@evil.test")
    }

    @Test func givenRecipientsInSeveralLists_whenAskedForTheEnvelope_thenEachAddressComesOnce() throws {
        let ada = try MailAddress("ada@example.test"), bob = try MailAddress("bob@example.test")
        let message = try MailMessage(from: ada, to: [ada], cc: [bob], bcc: [MailAddress("ADA@example.test")], subject: "x", textBody: "y",
                                      messageID: MailMessageID("<a@b.test>"))
        #expect(message.envelopeRecipients == ["ada@example.test", "bob@example.test"])
    }

    @Test func secretsNeverShowInDescriptions() {
        let secret = MailSecret("graph-s3cret")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.reveal() == "graph-s3cret")
    }
}

@Suite struct MailAddressListTests {
    @Test func givenATemplatedRecipientList_whenParsed_thenEachMailboxIsKept() throws {
        let list = try MailAddress.parseList(" Ada <ada@example.test>, \"Lovelace, A.\" <al@example.test>; bob@example.test, ")
        #expect(list.map(\.address) == ["ada@example.test", "al@example.test", "bob@example.test"])
        #expect(list[1].name == "Lovelace, A.")
        #expect(try MailAddress.parseList("").isEmpty)
    }

    @Test func givenAListWithOneBadEntry_whenParsed_thenTheErrorNamesThatEntry() {
        let error = #expect(throws: MailMessageError.self) { try MailAddress.parseList("ada@example.test, {{missing}}") }
        #expect(error?.description == "invalid mail address \"{{missing}}\": it has no @")
    }
}
