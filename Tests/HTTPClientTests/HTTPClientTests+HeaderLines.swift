@testable import HTTPClient
import Testing

@Suite struct HeaderLineTests {
    @Test("Given a header line with CRLF and blanks around a non-ASCII value, when trimmed on its bytes, then the blanks go and every scalar stays")
    func givenHeaderLineWhenTrimmedThenScalarsKept() {
        let line = CurlTransfer.trimmed("Content-Disposition: \t attachment; filename=\"Zürich 🗓.ics\" \t\r\n"[...]) { $0 == 0x0D || $0 == 0x0A }
        #expect(line == "Content-Disposition: \t attachment; filename=\"Zürich 🗓.ics\" \t")
        let colon = line.firstIndex(of: ":")!
        #expect(CurlTransfer.trimmed(line[line.index(after: colon)...], CurlTransfer.isBlank) == "attachment; filename=\"Zürich 🗓.ics\"")
        #expect(CurlTransfer.trimmed(" \t "[...], CurlTransfer.isBlank).isEmpty)
        #expect(CurlTransfer.trimmed("é"[...], CurlTransfer.isBlank) == "é")
    }
}
