import Foundation

/// What the trace shows a step was given: its templated fields rendered over the run's data,
/// before the step runs (so a step that fails on its input still shows it).
///
/// Secrets never reach the result: every `{{secrets.<name>}}` renders as `[redacted]` whatever
/// `data` holds under `secrets`, and values of headers that carry credentials are redacted
/// whatever they render to. Rendering is lenient here (a broken template shows its error in
/// place of the value): checking the input is the executor's job, not the trace's.
extension FlowStep {
    public static let redactedText = "[redacted]"
    /// Header names whose values never appear in a trace.
    public static let sensitiveHeaderNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]
    /// Longer rendered texts (mail bodies) are cut in the trace.
    public static let traceTextLimit = 4000

    public func traceInputs(over data: FlowValue) -> FlowValue {
        let data = Self.redactingSecrets(in: data, for: templates)
        func text(_ template: String, escaping: FlowTemplate.Escaping = .text) -> FlowValue {
            let rendered: String
            do {
                rendered = try FlowTemplate(template, escaping: escaping).render(data)
            } catch {
                rendered = "(\(error.description))"
            }
            return .string(rendered.count > Self.traceTextLimit ? String(rendered.prefix(Self.traceTextLimit)) + "…" : rendered)
        }
        var fields: [String: FlowValue] = [:]
        switch action {
        case .sendEmail(let mail):
            fields["to"] = .array(mail.to.map { text($0) })
            if let cc = mail.cc { fields["cc"] = .array(cc.map { text($0) }) }
            if let from = mail.from { fields["from"] = text(from) }
            fields["subject"] = text(mail.subject)
            fields["body"] = text(mail.body)
            if let html = mail.html { fields["html"] = text(html, escaping: .html) }
        case .httpRequest(let http):
            fields["method"] = .string(http.method.rawValue)
            fields["url"] = text(http.url)
            var headers: [String: FlowValue] = [:]
            for (name, value) in http.headers ?? [:] {
                headers[name] = Self.sensitiveHeaderNames.contains(name.lowercased()) ? .string(Self.redactedText) : text(value)
            }
            fields["headers"] = .object(headers)
            if let body = http.body { fields["body"] = text(body) }
        case .bookingCommand(let command):
            fields["command"] = .string(command.command.rawValue)
            fields["bookingId"] = text(command.bookingId ?? "{{booking.bookingId}}")
            fields["resourceId"] = text(command.resourceId ?? "{{booking.resourceId}}")
            if let reason = command.reason { fields["reason"] = text(reason) }
        case .publishEvent(let publish):
            fields["eventType"] = .string(publish.eventType)
            fields["data"] = .object(publish.data.mapValues { text($0) })
        case .wait, .branch, .approval:
            break
        }
        return .object(fields)
    }

    /// Every template text of the step (the fields `traceInputs` renders).
    var templates: [String] {
        switch action {
        case .sendEmail(let mail): mail.to + (mail.cc ?? []) + [mail.from, mail.subject, mail.body, mail.html].compactMap { $0 }
        case .httpRequest(let http): [http.url, http.body].compactMap { $0 } + (http.headers.map { Array($0.values) } ?? [])
        case .bookingCommand(let command): [command.bookingId, command.resourceId, command.reason].compactMap { $0 }
        case .publishEvent(let publish): Array(publish.data.values)
        case .wait, .branch, .approval: []
        }
    }

    /// `data` with `secrets` holding `[redacted]` for each secret the templates name, and nothing else.
    static func redactingSecrets(in data: FlowValue, for templates: [String]) -> FlowValue {
        var names: Set<String> = []
        for template in templates {
            guard let parsed = try? FlowTemplate(template) else { continue }
            for variable in parsed.variables {
                for path in variable.candidatePaths where path.count >= 2 && path[0] == "secrets" { names.insert(path[1]) }
            }
        }
        var placeholders: [String: FlowValue] = [:]
        for name in names { placeholders[name] = .string(redactedText) }
        return data.setting(.object(placeholders), at: ["secrets"])
    }
}
