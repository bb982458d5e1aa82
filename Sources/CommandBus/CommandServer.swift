import Foundation
import Logging
import NATSClient
import ServiceLifecycle

/// Answers commands on `<prefix>.*` as one member of a queue group, so replicas share the
/// load. A bounded number of commands run at once; on graceful shutdown it stops taking new
/// commands (drain), finishes the ones in hand, and returns.
///
/// It subscribes when created, so once the connection is flushed the server is known to the
/// cluster; `run()` then answers.
public struct CommandServer: Service {
    public typealias Handler = @Sendable (CommandRequest) async -> CommandReply

    let connection: NATSConnection
    let prefix: String
    let queue: String
    let maxConcurrent: Int
    let handler: Handler
    let logger: Logger
    let subscription: NATSSubscription

    public init(connection: NATSConnection, prefix: String, queue: String, maxConcurrent: Int = 64,
                logger: Logger = Logger(label: "almanac.commands"), handler: @escaping Handler) throws {
        self.connection = connection
        self.prefix = prefix
        self.queue = queue
        self.maxConcurrent = max(1, maxConcurrent)
        self.handler = handler
        self.logger = logger
        subscription = try connection.subscribe(to: "\(prefix).*", queue: queue, bufferSize: max(1, maxConcurrent))
    }

    public func run() async throws {
        let subscription = self.subscription
        logger.info("answering commands", metadata: ["subjects": "\(prefix).*", "queue": "\(queue)"])
        let slots = AsyncSemaphore(permits: maxConcurrent)
        try await withGracefulShutdownHandler {
            // A discarding group keeps no results, so a server that runs for months holds only
            // the commands in flight; the semaphore bounds how many those are.
            try await withThrowingDiscardingTaskGroup { group in
                for try await message in subscription {
                    await slots.acquire()
                    group.addTask {
                        await answer(message)
                        slots.release()
                    }
                }
            }
        } onGracefulShutdown: {
            // Stop taking commands; those already received are answered before run() returns.
            subscription.drain()
        }
        logger.info("stopped answering commands", metadata: ["subjects": "\(prefix).*"])
    }

    private func answer(_ message: NATSMessage) async {
        let reply: CommandReply
        do {
            reply = await handler(try CommandRequest(message: message, prefix: prefix))
        } catch {
            reply = .failed(message: error.description)
        }
        do {
            try connection.respond(to: message, payload: Array(try JSONEncoder().encode(reply)))
        } catch {
            logger.warning("could not answer a command", metadata: ["subject": "\(message.subject)", "error": "\(error)"])
        }
    }
}

/// Sends commands and waits for the handler's answer.
public struct CommandClient: Sendable {
    let connection: NATSConnection
    let prefix: String

    public init(connection: NATSConnection, prefix: String) {
        self.connection = connection
        self.prefix = prefix
    }

    public func send(_ request: CommandRequest, timeout: Duration = .seconds(10)) async throws -> CommandReply {
        let token: SubjectToken
        do { token = try SubjectToken(request.name) } catch { throw CommandBusError.badRequest(error.description) }
        let subject = "\(prefix).\(token)"
        let answer: NATSMessage
        do {
            answer = try await connection.request(subject, headers: request.headers, payload: request.body, timeout: timeout)
        } catch let error as NATSError where error.kind == .noResponders {
            throw CommandBusError.noHandler(subject)
        } catch let error as NATSError where error.kind == .timeout {
            throw CommandBusError.timeout(subject)
        }
        return try JSONDecoder().decode(CommandReply.self, from: Data(answer.payload))
    }
}
