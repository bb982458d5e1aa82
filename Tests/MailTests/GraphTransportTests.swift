import Foundation
import HTTPClient
import Mail
import Testing

@Suite struct GraphTransportTests {
    @Test func givenAValidApp_whenTwoMailsAreSent_thenOneTokenServesBothAndGraphGetsItsMessageShape() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            let message = try sampleMessage(headers: [MailHeader(name: "X-Almanac-Flow", value: "confirmation")])
            let receipt = try await transport.send(message)
            _ = try await transport.send(try sampleMessage(step: "second", html: nil))

            #expect(receipt.transport == "graph")
            #expect(receipt.messageID == message.messageID)
            #expect(receipt.reference?.isEmpty == false)

            let state = try await graph.state()
            #expect(state.tokenRequests.count == 1)
            let tokenRequest = try #require(state.tokenRequests.first)
            #expect(tokenRequest.tenant == FakeGraph.tenant)
            #expect(tokenRequest.clientId == FakeGraph.clientID)
            #expect(tokenRequest.secretMatched)
            #expect(tokenRequest.scope == "https://graph.microsoft.com/.default")
            #expect(tokenRequest.grantType == "client_credentials")
            #expect(tokenRequest.contentType == "application/x-www-form-urlencoded")

            #expect(state.sendMail.count == 2)
            #expect(Set(state.sendMail.map(\.token)).count == 1)
            let first = try #require(state.sendMail.first)
            #expect(first.sender == "noreply@almanac.test")
            #expect(first.contentType == "application/json")
            let sent = try #require(first.body?["message"])
            #expect(sent["subject"]?.string == "Desk 7 booked")
            #expect(sent["body"]?["contentType"]?.string == "HTML")
            #expect(sent["body"]?["content"]?.string == "<p>Your desk is booked.</p>")
            #expect(sent["toRecipients"]?[0]?["emailAddress"]?["address"]?.string == "ada@example.test")
            #expect(sent["from"]?["emailAddress"]?["name"]?.string == "Almanac")
            #expect(sent["internetMessageId"]?.string == "<almanac.run-1.confirm@almanac.test>")
            #expect(sent["internetMessageHeaders"]?[0]?["name"]?.string == "X-Almanac-Flow")
            #expect(first.body?["saveToSentItems"] == .bool(false))
            #expect(state.sendMail[1].body?["message"]?["body"]?["contentType"]?.string == "Text")
        }
    }

    @Test func givenGraphAnswers429WithRetryAfter_whenSending_thenTheTransportWaitsThatLongAndSucceeds() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            try await graph.script([["status": 429, "retryAfter": 1, "error": ["code": "ApplicationThrottled", "message": "Too many requests"]]])
            let started = ContinuousClock.now
            _ = try await transport.send(try sampleMessage())
            let elapsed = ContinuousClock.now - started

            let state = try await graph.state()
            #expect(state.sendMail.count == 2)
            print("mail-measure: send with one 429 Retry-After: 1 took \(elapsed); retry arrived \(state.sendMail[1].at - state.sendMail[0].at) s after the 429")
            #expect(elapsed >= .seconds(1))
            // The server's own clock: the retry arrived a whole Retry-After after the 429.
            #expect(state.sendMail[1].at - state.sendMail[0].at >= 0.95)
        }
    }

    @Test func givenGraphAsksForALongerWaitThanAllowed_whenSending_thenAThrottledRetryableErrorCarriesTheHint() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(maxRetryAfterWait: .seconds(5)), http: try HTTPClient())
            try await graph.script([["status": 503, "retryAfter": 120]])
            let started = ContinuousClock.now
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(error?.kind == .throttled)
            #expect(error?.isRetryable == true)
            #expect(error?.retryAfter == .seconds(120))
        }
    }

    @Test func givenAnExpiredToken_whenSending_thenOneRefreshAndOneRetrySucceed() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            _ = try await transport.send(try sampleMessage())
            try await graph.expireTokens()
            _ = try await transport.send(try sampleMessage(step: "after-expiry"))

            let state = try await graph.state()
            #expect(state.tokenRequests.count == 2)
            #expect(state.sendMail.count == 3)
            #expect(state.sendMail[1].token == state.sendMail[0].token)
            #expect(state.sendMail[2].token != state.sendMail[1].token)
        }
    }

    @Test func givenGraphRefusesEveryToken_whenSending_thenOnlyOneRefreshIsTriedAndTheErrorIsNotRetryable() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            try await graph.configure(["rejectAllTokens": true])
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(error?.kind == .authentication)
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("InvalidAuthenticationToken") == true)
            let state = try await graph.state()
            #expect(state.tokenRequests.count == 2)
            #expect(state.sendMail.count == 2)
        }
    }

    @Test func givenGraphAnswers400_whenSending_thenTheStepFailsWithGraphsErrorTextAndNoRetry() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            try await graph.script([["status": 400, "error": ["code": "ErrorInvalidRecipients", "message": "At least one recipient isn't valid."]]])
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(error?.isRetryable == false)
            #expect(error?.kind == .invalidMessage)
            #expect(error?.message == "Graph refused the mail (400): ErrorInvalidRecipients: At least one recipient isn't valid.")
            #expect(try await graph.state().sendMail.count == 1)
        }
    }

    @Test func givenGraphFailsWith500_whenSending_thenTheErrorIsRetryable() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            try await graph.script([["status": 500, "error": ["code": "InternalServerError", "message": "boom"]]])
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(error?.kind == .unavailable)
            #expect(error?.isRetryable == true)
        }
    }

    @Test func givenAHeaderGraphCannotCarry_whenSending_thenNothingIsSentAndTheErrorIsNotRetryable() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            let error = await #expect(throws: MailTransportError.self) {
                try await transport.send(try sampleMessage(headers: [MailHeader(name: "List-Unsubscribe", value: "<mailto:u@almanac.test>")]))
            }
            #expect(error?.isRetryable == false)
            #expect(try await graph.state().sendMail.isEmpty)
        }
    }

    @Test func givenAWrongClientSecret_whenSending_thenAuthenticationFailsWithoutShowingTheSecret() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(secret: "wrong-s3cret-value"), http: try HTTPClient())
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(error?.kind == .authentication)
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("AADSTS7000215") == true)
            #expect(error?.description.contains("wrong-s3cret-value") == false)
            #expect(try await graph.state().sendMail.isEmpty)
        }
    }

    @Test func givenTwelveMailsAtOnce_whenSent_thenNeverMoreThanFourRequestsAreInFlight() async throws {
        try await withFakeGraph { graph in
            let transport = GraphTransport(configuration: graph.configuration(), http: try HTTPClient())
            try await graph.configure(["sendDelayMs": 300])
            try await withThrowingTaskGroup(of: MailReceipt.self) { group in
                for index in 0..<12 {
                    group.addTask { try await transport.send(try sampleMessage(step: "s\(index)")) }
                }
                var receipts = 0
                for try await _ in group { receipts += 1 }
                #expect(receipts == 12)
            }
            let state = try await graph.state()
            #expect(state.sendMail.count == 12)
            #expect(state.tokenRequests.count == 1)
            print("mail-measure: Graph sendMail requests in flight at most \(state.maxInFlight) of 12 sent at once (limit 4)")
            #expect(state.maxInFlight <= 4)
            #expect(state.maxInFlight >= 2)
        }
    }
}
