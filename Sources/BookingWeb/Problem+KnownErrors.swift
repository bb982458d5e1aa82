import Access
import CommandBus
import Foundation
import HTTPTypes
import Hummingbird

// The errors of the layers below, as problems: every failure a request can meet ends up here,
// so the app never answers with a bare status or a stack trace.

extension TokenVerificationError: ProblemConvertible {
    public var problem: Problem {
        var problem = Problem(status: Self.httpStatus, title: "Not signed in", detail: message, code: "unauthenticated")
        problem.headers["WWW-Authenticate"] = wwwAuthenticate()
        return problem
    }
}

extension AccessDenied: ProblemConvertible {
    public var problem: Problem {
        Problem(status: Self.httpStatus, title: "Not allowed", detail: description, code: "forbidden")
    }
}

extension CommandBusError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .badRequest(let why): .badRequest(why)
        case .noHandler: .unavailable("The booking service is not running right now; please try again in a minute.")
        case .timeout: .unavailable("The booking service did not answer in time; please try again.")
        }
    }
}

extension Problem {
    /// Any error as a problem: ours as they say, Hummingbird's by status, anything else a 500
    /// without internals.
    static func from(_ error: any Error) -> Problem {
        if let convertible = error as? any ProblemConvertible { return convertible.problem }
        if let http = error as? any HTTPResponseError {
            switch http.status.code {
            case 404: return .notFound("There is nothing at this address.")
            case 405: return Problem(status: 405, title: "Method not allowed", detail: "This address does not accept that method.", code: "method_not_allowed")
            case 413: return Problem(status: 413, title: "Request too large", detail: "The request body is larger than this API accepts.", code: "too_large")
            default:
                return Problem(status: http.status.code, title: http.status.reasonPhrase, detail: "The request could not be handled (\(http.status.reasonPhrase)).")
            }
        }
        return Problem(status: 500, title: "Something went wrong", detail: "The server could not handle this request; it has been logged.", code: "internal")
    }
}
