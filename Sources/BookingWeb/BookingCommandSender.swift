import EventStore
import Access
import Booking
import BookingService
import CommandBus
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Sends a domain command for the principal over the command bus and turns the reply into the
/// HTTP answer: accepted → `successStatus` with ids and sequences (after the read model
/// caught up with them, when `readYourWrites` is set), otherwise a problem.
struct BookingCommandSender: Sendable {
    let client: CommandClient
    let timeout: Duration
    let readYourWrites: ReadYourWrites?
    let logger: Logger

    func send(_ command: BookingCommand, for principal: Access.Principal, bookingId: BookingID?, successStatus: HTTPResponse.Status,
              correlationId: String?) async throws -> Response {
        let (name, body) = try BookingCommandCodec.encode(command)
        let request = CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: principal.subject,
                                     actorRoles: principal.roles.sorted().map(\.rawValue), actorGroups: principal.groups,
                                     correlationId: correlationId, body: body)
        let clock = ContinuousClock()
        let sent = clock.now
        let reply = try await client.send(request, timeout: timeout)
        let answered = clock.now
        if let problem = reply.problem { throw problem }
        guard case .accepted(let sequences, let duplicate) = reply else { throw Problem.unavailable("unexpected reply") }
        var accepted = CommandAccepted(bookingId: bookingId, sequence: sequences.last, sequences: sequences, duplicate: duplicate)
        guard let readYourWrites, let last = sequences.max() else {
            var response = try JSONBody.response(accepted, status: successStatus)
            ServerTiming.add([ServerTiming.entry("cmd", answered - sent)], to: &response)
            return response
        }
        let current = await readYourWrites.waitUntilVisible(last, logger: logger)
        let visible = clock.now
        accepted.readModelCurrent = current
        var response = try JSONBody.response(accepted, status: successStatus)
        response.headers[HTTPField.Name(ReadYourWrites.headerName)!] = current ? "current" : "behind"
        ServerTiming.add([ServerTiming.entry("cmd", answered - sent), ServerTiming.entry("ryw", visible - answered)], to: &response)
        return response
    }
}

/// JSON responses, encoded like events (RFC 3339 times, sorted keys).
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        let data = try EventCoding.encoder.encode(value)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The request body, at most `limit` bytes (more is a 413 problem).
    static func collect(_ request: Request, limit: Int) async throws -> Data {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return Data(buffer.readableBytesView)
    }
}
