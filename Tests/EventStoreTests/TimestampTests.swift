import EventStore
import Foundation
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("formatting agrees with the Gregorian calendar across centuries, leap days and before 1970, and parses back exactly")
    func formatMatchesCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        let fixed: [Int64] = [0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_400_999, -2_208_988_800_000, 1_774_744_200_500]
        for milliseconds in fixed + (0..<2000).map({ _ in Int64.random(in: -3_000_000_000_000...6_000_000_000_000, using: &generator) }) {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let wholeSecond = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(wholeSecond)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!,
                                  parts.hour!, parts.minute!, parts.second!, Int(milliseconds - wholeSecond * 1000))
            #expect(Timestamp.format(date) == expected, "\(milliseconds)")
            #expect(Timestamp.parse(expected).map { Timestamp.format($0) } == expected)
        }
    }

    @Test("parsing takes RFC 3339 with and without fractions and with offsets, and refuses garbage")
    func parseForms() {
        #expect(Timestamp.parse("2027-03-28T01:30:00Z") == Date(timeIntervalSince1970: 1_806_197_400))
        #expect(Timestamp.parse("2027-03-28T01:30:00.250Z") == Date(timeIntervalSince1970: 1_806_197_400.25))
        #expect(Timestamp.parse("2027-03-28T03:30:00+02:00") == Date(timeIntervalSince1970: 1_806_197_400))
        for bad in ["", "2027-13-01T00:00:00Z", "2027-03-28 01:30:00Z", "2027-03-28T01:30:00", "yesterday", "2027-03-28T01:30:00.Z"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }
}
