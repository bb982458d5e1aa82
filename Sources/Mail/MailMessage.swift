/// One outgoing mail, independent of how it is sent. Built through the throwing initialiser, so
/// a `MailMessage` that exists has valid addresses, at least one recipient and at least one body.
public struct MailMessage: Sendable, Hashable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Envelope recipients only: never written into a header.
    public var bcc: [MailAddress]
    public var replyTo: [MailAddress]
    public var subject: String
    public var textBody: String?
    public var htmlBody: String?
    /// Extra header fields (e.g. `X-Almanac-Flow`). Graph only carries names starting `X-`.
    public var headers: [MailHeader]
    /// `<...@...>`, stable per (run, step) so a retried send is recognisable; see `MailMessageID`.
    public var messageID: MailMessageID
    /// The flow run and step that send this mail, when a flow does.
    public var origin: MailOrigin?

    public init(
        from: MailAddress,
        to: [MailAddress],
        cc: [MailAddress] = [],
        bcc: [MailAddress] = [],
        replyTo: [MailAddress] = [],
        subject: String,
        textBody: String? = nil,
        htmlBody: String? = nil,
        headers: [MailHeader] = [],
        origin: MailOrigin? = nil,
        messageID: MailMessageID? = nil
    ) throws(MailMessageError) {
        guard !(to.isEmpty && cc.isEmpty && bcc.isEmpty) else { throw .noRecipients }
        guard textBody != nil || htmlBody != nil else { throw .noBody }
        for header in headers {
            try header.validate()
        }
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        // A subject is one line: folded line breaks would let a template inject header fields.
        self.subject = subject.replacingControlCharacters
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.headers = headers
        self.origin = origin
        if let messageID {
            self.messageID = messageID
        } else if let origin {
            // Every attempt of one step derives the same id; the sender's domain makes it ours.
            self.messageID = try .forStep(runID: origin.runID, stepID: origin.stepID, domain: String(from.domain))
        } else {
            throw .invalidIdentifier("", reason: "a message needs a Message-ID or the run and step it comes from")
        }
    }

    /// Every envelope recipient (to, cc and bcc), each address once, in that order.
    public var envelopeRecipients: [String] {
        var seen = Set<String>()
        return (to + cc + bcc).map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }
}

/// The flow run and step a mail belongs to. Both are subject tokens (`[A-Za-z0-9_-]{1,64}`).
public struct MailOrigin: Sendable, Hashable, Codable {
    public var runID: String
    public var stepID: String

    public init(runID: String, stepID: String) {
        self.runID = runID
        self.stepID = stepID
    }
}

/// One extra header field of a message.
public struct MailHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Fields the transports write themselves; setting them here would give two of each.
    static let reserved: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "sender",
    ]

    func validate() throws(MailMessageError) {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != ":" }) else {
            throw .invalidHeader(name: name, reason: "a name is printable ASCII without spaces or colons")
        }
        guard !Self.reserved.contains(name.lowercased()) else {
            throw .invalidHeader(name: name, reason: "the transport sets this field itself")
        }
        guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw .invalidHeader(name: name, reason: "the value contains a line break")
        }
    }
}

extension String {
    /// Control characters (CR, LF, TAB, ...) folded into spaces.
    var replacingControlCharacters: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
