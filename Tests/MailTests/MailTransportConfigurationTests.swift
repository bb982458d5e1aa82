import Foundation
import Mail
import Testing

@Suite struct MailTransportConfigurationTests {
    let graph = [
        "ALMANAC_MAIL_TRANSPORT": "graph",
        "ALMANAC_MAIL_GRAPH_TENANT_ID": "tenant-1",
        "ALMANAC_MAIL_GRAPH_CLIENT_ID": "almanac-app",
        "ALMANAC_MAIL_GRAPH_CLIENT_SECRET": "graph-s3cret",
        "ALMANAC_MAIL_GRAPH_SENDER": "noreply@almanac.test",
    ]

    func error(_ environment: [String: String], defaultKind: MailTransportConfiguration.Kind? = nil) -> String? {
        do {
            _ = try MailTransportConfiguration.fromEnvironment(environment, defaultKind: defaultKind, readFile: { path in
                guard path == "/run/secrets/graph" else { throw CocoaError(.fileNoSuchFile) }
                return "from-file-s3cret\n"
            })
            return nil
        } catch {
            return error.description
        }
    }

    @Test func givenCompleteGraphSettings_whenRead_thenTheConfigurationHasThemAndDefaults() throws {
        guard case .graph(let configuration) = try MailTransportConfiguration.fromEnvironment(graph) else {
            Issue.record("not graph")
            return
        }
        #expect(configuration.tenantID == "tenant-1")
        #expect(configuration.clientSecret.reveal() == "graph-s3cret")
        #expect(configuration.maxConcurrentRequests == 4)
        #expect(configuration.graphBaseURL.absoluteString == "https://graph.microsoft.com")
        #expect(configuration.loginBaseURL.absoluteString == "https://login.microsoftonline.com")
    }

    @Test func givenTheSecretInAFile_whenRead_thenTheFileIsUsedWithoutItsLineBreak() throws {
        var environment = graph
        environment["ALMANAC_MAIL_GRAPH_CLIENT_SECRET"] = nil
        environment["ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE"] = "/run/secrets/graph"
        let configuration = try MailTransportConfiguration.fromEnvironment(environment, readFile: { _ in "from-file-s3cret\n" })
        guard case .graph(let graph) = configuration else { Issue.record("not graph"); return }
        #expect(graph.clientSecret.reveal() == "from-file-s3cret")
    }

    @Test func givenMissingOrBadSettings_whenRead_thenOneLineNamesTheVariable() {
        var noSecret = graph
        noSecret["ALMANAC_MAIL_GRAPH_CLIENT_SECRET"] = nil
        var bothSecrets = graph
        bothSecrets["ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE"] = "/run/secrets/graph"
        var unreadable = noSecret
        unreadable["ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE"] = "/nowhere"
        var noTenant = graph
        noTenant["ALMANAC_MAIL_GRAPH_TENANT_ID"] = "  "
        var badConcurrency = graph
        badConcurrency["ALMANAC_MAIL_GRAPH_MAX_CONCURRENCY"] = "lots"

        let cases: [([String: String], String)] = [
            ([:], "ALMANAC_MAIL_TRANSPORT is not set; expected graph, smtp or outbox"),
            (["ALMANAC_MAIL_TRANSPORT": "pigeon"], "ALMANAC_MAIL_TRANSPORT is \"pigeon\"; expected graph, smtp or outbox"),
            (noSecret, "neither ALMANAC_MAIL_GRAPH_CLIENT_SECRET nor ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE is set (needed when ALMANAC_MAIL_TRANSPORT=graph)"),
            (bothSecrets, "both ALMANAC_MAIL_GRAPH_CLIENT_SECRET and ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE are set; set one"),
            (unreadable, "ALMANAC_MAIL_GRAPH_CLIENT_SECRET_FILE \"/nowhere\" cannot be read"),
            (noTenant, "ALMANAC_MAIL_GRAPH_TENANT_ID is not set (needed when ALMANAC_MAIL_TRANSPORT=graph)"),
            (badConcurrency, "ALMANAC_MAIL_GRAPH_MAX_CONCURRENCY is \"lots\"; expected a whole number from 1 to 64"),
            (["ALMANAC_MAIL_TRANSPORT": "smtp"], "ALMANAC_MAIL_SMTP_URL is not set (needed when ALMANAC_MAIL_TRANSPORT=smtp), e.g. smtp://mail.example.com:587"),
            (["ALMANAC_MAIL_TRANSPORT": "smtp", "ALMANAC_MAIL_SMTP_URL": "http://mail.example.com"],
             "ALMANAC_MAIL_SMTP_URL \"http://mail.example.com\" is not a URL with scheme smtp or smtps and a host"),
            (["ALMANAC_MAIL_TRANSPORT": "smtp", "ALMANAC_MAIL_SMTP_URL": "smtp://mail.example.com:587", "ALMANAC_MAIL_SMTP_USERNAME": "almanac"],
             "ALMANAC_MAIL_SMTP_USERNAME is set but neither ALMANAC_MAIL_SMTP_PASSWORD nor ALMANAC_MAIL_SMTP_PASSWORD_FILE is"),
            (["ALMANAC_MAIL_TRANSPORT": "smtp", "ALMANAC_MAIL_SMTP_URL": "smtp://mail.example.com:587", "ALMANAC_MAIL_SMTP_STARTTLS": "never"],
             "ALMANAC_MAIL_SMTP_STARTTLS is \"never\"; expected required or optional"),
        ]
        for (environment, expected) in cases {
            #expect(error(environment) == expected)
        }
        for (environment, _) in cases {
            #expect(error(environment)?.contains("graph-s3cret") != true)
            #expect(error(environment)?.contains("\n") != true)
        }
    }

    @Test func givenSMTPSettings_whenRead_thenStartTLSIsRequiredUnlessSaidOtherwise() throws {
        let required = try MailTransportConfiguration.fromEnvironment([
            "ALMANAC_MAIL_TRANSPORT": "smtp", "ALMANAC_MAIL_SMTP_URL": "smtp://mail.example.com:587",
            "ALMANAC_MAIL_SMTP_USERNAME": "almanac", "ALMANAC_MAIL_SMTP_PASSWORD": "s3cret",
        ])
        guard case .smtp(let smtp) = required else { Issue.record("not smtp"); return }
        #expect(smtp.requireTLS)
        #expect(smtp.username == "almanac")
        #expect(smtp.password?.reveal() == "s3cret")

        let optional = try MailTransportConfiguration.fromEnvironment([
            "ALMANAC_MAIL_TRANSPORT": "SMTP", "ALMANAC_MAIL_SMTP_URL": "smtp://127.0.0.1:2525", "ALMANAC_MAIL_SMTP_STARTTLS": "optional",
        ])
        guard case .smtp(let plain) = optional else { Issue.record("not smtp"); return }
        #expect(!plain.requireTLS)
        #expect(plain.password == nil)
    }

    @Test func givenNothingSet_whenTheCallerHasADefault_thenItIsUsed() throws {
        #expect(try MailTransportConfiguration.fromEnvironment([:], defaultKind: .outbox).kind == .outbox)
        #expect(try MailTransportConfiguration.fromEnvironment(["ALMANAC_MAIL_TRANSPORT": "outbox"]).kind == .outbox)
    }
}
