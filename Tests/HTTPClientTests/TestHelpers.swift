import Foundation
import HTTPClient

func localURL(_ port: Int, _ path: String, scheme: String = "http") -> URL {
    URL(string: "\(scheme)://127.0.0.1:\(port)\(path)")!
}

/// What the fixture's /echo returns.
struct Echo: Decodable {
    let method: String
    let path: String
    let headers: [[String]]
    let body: String
    let clientPort: Int

    init(_ response: HTTPResponse) throws {
        self = try JSONDecoder().decode(Echo.self, from: response.body)
    }

    func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    var bodyData: Data { Data(base64Encoded: body) ?? Data() }
}
