import Foundation

/// One problem in a definition: where (`steps[2].to[0]`) and what, in words for the editor.
public struct FlowValidationError: Error, Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Checks a definition and lists EVERY problem (not just the first): ids, references between
/// steps, reachability, loops that never pause, durations, cron, time zones, expressions,
/// templates and the variables they read, literal email addresses, retry policies.
public enum FlowValidator {
    public static func validate(_ flow: FlowDefinition) -> [FlowValidationError] {
        var check = Checker(flow: flow)
        check.run()
        return check.errors
    }

    /// The subject-token rule ids follow: `[A-Za-z0-9_-]{1,64}`.
    public static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "-")
        }
    }
}

struct Checker {
    let flow: FlowDefinition
    let variables: FlowVariables
    var errors: [FlowValidationError] = []

    init(flow: FlowDefinition) {
        self.flow = flow
        variables = FlowVariables.available(for: flow.trigger, stepIds: flow.steps.map(\.id))
    }

    mutating func fail(_ path: String, _ message: String) { errors.append(FlowValidationError(path: path, message: message)) }

    mutating func run() {
        if !FlowValidator.isToken(flow.id) { fail("id", "'\(flow.id)' is not a usable id: use 1 to 64 letters, digits, '-' or '_'") }
        if flow.name.trimmingCharacters(in: .whitespaces).isEmpty { fail("name", "is empty: give the flow a name people recognise") }
        checkTrigger()
        if flow.steps.isEmpty { fail("steps", "is empty: a flow needs at least one step") }
        // Step by step, so the list reads in the order of the definition.
        for index in flow.steps.indices {
            checkStepId(at: index)
            checkStep(at: index)
            checkReferences(at: index)
        }
        checkGraph()
    }

    // MARK: Trigger

    mutating func checkTrigger() {
        switch flow.trigger {
        case .bookingEvent(let trigger):
            if trigger.events.isEmpty { fail("trigger.events", "is empty: name at least one booking event (\(BookingTriggerEvents.all.joined(separator: ", ")))") }
            for (index, event) in trigger.events.enumerated() where !BookingTriggerEvents.all.contains(event) {
                fail("trigger.events[\(index)]", "'\(event)' is not a booking event a flow can start on (\(BookingTriggerEvents.all.joined(separator: ", ")))")
            }
            if let filter = trigger.filter { checkExpression(filter, at: "trigger.filter") }
        case .bookingTime(let trigger):
            if !BookingTriggerEvents.timeFields.contains(trigger.field) {
                fail("trigger.field", "'\(trigger.field)' is not a booking time (start or end)")
            }
            switch (trigger.before, trigger.after) {
            case (nil, nil), (.some, .some): fail("trigger", "give exactly one of 'before' and 'after' (e.g. before: 24h)")
            case (let before?, nil): checkDuration(before, at: "trigger.before")
            case (nil, let after?): checkDuration(after, at: "trigger.after")
            }
            if let filter = trigger.filter { checkExpression(filter, at: "trigger.filter") }
        case .schedule(let trigger):
            do { _ = try CronSchedule(parsing: trigger.cron) } catch { fail("trigger.cron", error.description) }
            if TimeZone(identifier: trigger.timeZone) == nil || !trigger.timeZone.contains("/") && trigger.timeZone != "UTC" {
                fail("trigger.timeZone", "'\(trigger.timeZone)' is not an IANA time zone (e.g. Europe/Zurich)")
            }
            if let each = trigger.forEach, each != "site" { fail("trigger.forEach", "'\(each)' is not supported (only 'site')") }
        case .manual(let trigger):
            var seen = Set<String>()
            for (index, input) in trigger.inputs.enumerated() {
                if !isIdentifier(input.name) { fail("trigger.inputs[\(index)].name", "'\(input.name)' is not a usable name: letters, digits and '_', starting with a letter") }
                if !seen.insert(input.name).inserted { fail("trigger.inputs[\(index)].name", "'\(input.name)' is used by an earlier input") }
            }
        }
    }

    // MARK: Steps

    mutating func checkStepId(at index: Int) {
        let step = flow.steps[index]
        if step.id == FlowStep.end {
            fail("steps[\(index)].id", "'end' is reserved: it names the end of the run")
        } else if !FlowValidator.isToken(step.id) {
            fail("steps[\(index)].id", "'\(step.id)' is not a usable id: use 1 to 64 letters, digits, '-' or '_'")
        }
        if let first = flow.steps.firstIndex(where: { $0.id == step.id }), first < index {
            fail("steps[\(index)].id", "'\(step.id)' is already the id of steps[\(first)]")
        }
    }

    mutating func checkStep(at index: Int) {
        let step = flow.steps[index]
        let base = "steps[\(index)]"
        if let timeout = step.timeout { checkDuration(timeout, at: "\(base).timeout", positive: true) }
        if let retry = step.retry { checkRetry(retry, at: "\(base).retry") }
        switch step.action {
        case .sendEmail(let mail):
            if mail.to.isEmpty { fail("\(base).to", "is empty: name at least one recipient") }
            for (position, recipient) in mail.to.enumerated() { checkAddress(recipient, at: "\(base).to[\(position)]") }
            for (position, recipient) in (mail.cc ?? []).enumerated() { checkAddress(recipient, at: "\(base).cc[\(position)]") }
            if let from = mail.from { checkAddress(from, at: "\(base).from") }
            if mail.subject.trimmingCharacters(in: .whitespaces).isEmpty { fail("\(base).subject", "is empty") }
            checkTemplate(mail.subject, at: "\(base).subject")
            checkTemplate(mail.body, at: "\(base).body")
            if let html = mail.html { checkTemplate(html, at: "\(base).html", escaping: .html) }
        case .httpRequest(let request):
            checkTemplate(request.url, at: "\(base).url")
            if !request.url.contains("{{") {
                let url = URL(string: request.url)
                if url?.host == nil || !["http", "https"].contains(url?.scheme?.lowercased() ?? "") {
                    fail("\(base).url", "'\(request.url)' is not an http or https URL")
                }
            }
            for (name, value) in (request.headers ?? [:]).sorted(by: { $0.key < $1.key }) { checkTemplate(value, at: "\(base).headers.\(name)") }
            if let body = request.body { checkTemplate(body, at: "\(base).body") }
            for (position, status) in (request.expectStatus ?? []).enumerated() where !(100...599).contains(status) {
                fail("\(base).expectStatus[\(position)]", "\(status) is not an HTTP status")
            }
        case .wait(let wait):
            switch (wait.duration, wait.until) {
            case (nil, nil), (.some, .some): fail(base, "a wait needs exactly one of 'duration' (e.g. 15m) and 'until' (e.g. booking.start - 15m)")
            case (let duration?, nil): checkDuration(duration, at: "\(base).duration")
            case (nil, let until?): checkExpression(until, at: "\(base).until")
            }
        case .branch(let branch):
            if branch.cases.isEmpty { fail("\(base).cases", "is empty: a branch needs at least one case (when + next)") }
            for (position, branchCase) in branch.cases.enumerated() { checkExpression(branchCase.when, at: "\(base).cases[\(position)].when") }
        case .bookingCommand(let command):
            let hasBooking = variables.provides(["booking", "bookingId"])
            if command.bookingId == nil, !hasBooking { fail("\(base).bookingId", "is required: this flow's trigger carries no booking") }
            if command.resourceId == nil, !hasBooking { fail("\(base).resourceId", "is required: this flow's trigger carries no booking") }
            if let bookingId = command.bookingId { checkTemplate(bookingId, at: "\(base).bookingId") }
            if let resourceId = command.resourceId { checkTemplate(resourceId, at: "\(base).resourceId") }
            if let reason = command.reason { checkTemplate(reason, at: "\(base).reason") }
        case .publishEvent(let publish):
            if !FlowValidator.isToken(publish.eventType) { fail("\(base).eventType", "'\(publish.eventType)' is not usable: 1 to 64 letters, digits, '-' or '_'") }
            for (name, value) in publish.data.sorted(by: { $0.key < $1.key }) { checkTemplate(value, at: "\(base).data.\(name)") }
        case .approval(let approval):
            if approval.approvers.isEmpty { fail("\(base).approvers", "is empty: name who may decide (an email address or role:<name>)") }
            for (position, approver) in approval.approvers.enumerated() where !approver.hasPrefix("role:") {
                checkAddress(approver, at: "\(base).approvers[\(position)]")
            }
            checkTemplate(approval.message, at: "\(base).message")
            checkDuration(approval.decideWithin, at: "\(base).decideWithin", positive: true)
        }
    }

    /// After the step's own fields, so errors read in the order they are written.
    mutating func checkReferences(at index: Int) {
        let ids = Set(flow.steps.map(\.id))
        for (target, path) in flow.successors(ofStepAt: index) where target != FlowStep.end && !ids.contains(target) {
            fail(path, "refers to step '\(target)', which does not exist (ids: \(flow.steps.map(\.id).joined(separator: ", ")), or 'end')")
        }
    }

    mutating func checkRetry(_ retry: RetryPolicy, at path: String) {
        if !(1...20).contains(retry.attempts) { fail("\(path).attempts", "\(retry.attempts) is outside 1 to 20 (attempts in all, the first included)") }
        if let delay = retry.initialDelay { checkDuration(delay, at: "\(path).initialDelay") }
        if let delay = retry.maxDelay { checkDuration(delay, at: "\(path).maxDelay") }
        if let multiplier = retry.multiplier, !(1...10).contains(multiplier) { fail("\(path).multiplier", "\(multiplier) is outside 1 to 10") }
        if let jitter = retry.jitter, !(0...1).contains(jitter) { fail("\(path).jitter", "\(jitter) is outside 0 to 1 (a fraction of the delay)") }
    }

    // MARK: Graph

    mutating func checkGraph() {
        guard !flow.steps.isEmpty else { return }
        var indexOf: [String: Int] = [:]
        for (index, step) in flow.steps.enumerated() where indexOf[step.id] == nil { indexOf[step.id] = index }
        let edges: [[Int]] = flow.steps.indices.map { index in
            flow.successors(ofStepAt: index).compactMap { indexOf[$0.target] }
        }
        var reached: Set<Int> = [0]
        var queue = [0]
        while let index = queue.popLast() {
            for next in edges[index] where reached.insert(next).inserted { queue.append(next) }
        }
        for index in flow.steps.indices where !reached.contains(index) {
            fail("steps[\(index)]", "step '\(flow.steps[index].id)' is never reached from the first step '\(flow.steps[0].id)'")
        }
        // A loop must pass through a wait or an approval, or a run would spin without pausing.
        let pausing = Set(flow.steps.indices.filter { flow.steps[$0].action.kind.pauses })
        var reported = Set<Int>()
        for cycle in Self.cycles(edges: edges, skipping: pausing) where reported.isDisjoint(with: cycle) {
            reported.formUnion(cycle)
            let names = (cycle + [cycle[0]]).map { flow.steps[$0].id }.joined(separator: " → ")
            fail("steps[\(cycle[0])]", "loop \(names) has no wait or approval step: a run would repeat it without pause")
        }
    }

    /// One cycle per strongly connected group of steps that loops without a pausing step.
    static func cycles(edges: [[Int]], skipping pausing: Set<Int>) -> [[Int]] {
        var cycles: [[Int]] = []
        var state = [Int](repeating: 0, count: edges.count) // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        func visit(_ node: Int) {
            state[node] = 1
            stack.append(node)
            for next in edges[node] where !pausing.contains(next) {
                if state[next] == 1, let start = stack.firstIndex(of: next) {
                    cycles.append(Array(stack[start...]))
                } else if state[next] == 0 {
                    visit(next)
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for node in edges.indices where state[node] == 0 && !pausing.contains(node) { visit(node) }
        return cycles
    }

    // MARK: Values

    mutating func checkDuration(_ text: String, at path: String, positive: Bool = false) {
        do {
            let duration = try FlowDuration(parsing: text)
            if positive, duration.seconds <= 0 { fail(path, "must be longer than zero") }
        } catch {
            fail(path, error.description)
        }
    }

    mutating func checkExpression(_ text: String, at path: String) {
        do {
            let expression = try FlowExpression(parsing: text)
            for (variable, column) in expression.paths where !variables.provides(variable) {
                fail(path, "at column \(column): '\(variable.joined(separator: "."))' is not provided by this flow's \(flow.trigger.type) trigger")
            }
        } catch {
            fail(path, "'\(text)' is not a valid expression: \(error.description)")
        }
    }

    mutating func checkTemplate(_ text: String, at path: String, escaping: FlowTemplate.Escaping = .text) {
        do {
            let template = try FlowTemplate(text, escaping: escaping)
            for variable in template.variables where !variable.candidatePaths.contains(where: variables.provides) {
                fail(path, "template variable '\(variable.path.joined(separator: "."))' is not provided by this flow's \(flow.trigger.type) trigger")
            }
        } catch {
            fail(path, error.description)
        }
    }

    /// A literal address is checked now; a template is checked when it renders.
    mutating func checkAddress(_ text: String, at path: String) {
        if text.contains("{{") {
            checkTemplate(text, at: path)
        } else if !EmailAddress.isValid(text) {
            fail(path, "'\(text)' is not an email address (expected name@example.com)")
        }
    }

    func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, CharacterSet.letters.contains(first), text.utf8.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
    }
}
