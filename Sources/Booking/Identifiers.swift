import Foundation

public typealias SiteID = String
public typealias BuildingID = String
public typealias FloorID = String
public typealias ResourceID = String
public typealias PersonID = String
public typealias BookingID = String
public typealias GroupID = String
public typealias ClosureID = String

/// The rule for identifiers that become NATS subject tokens (`bookings.resource.<id>`):
/// `[A-Za-z0-9_-]{1,64}`. Mirrors `SubjectToken` so the pure domain can reject a bad id with a
/// typed rejection before any infrastructure sees it.
public enum Identifier {
    public static let maximumLength = 64

    /// Why `value` cannot be an identifier, or `nil` when it can.
    public static func problem(with value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.utf8.count > maximumLength { return "must be at most \(maximumLength) characters" }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return "may contain only letters, digits, '_' and '-'"
            }
        }
        return nil
    }

    /// A rejection naming `field` when `value` is not a valid identifier.
    static func check(_ value: String, field: String) -> BookingRejection? {
        problem(with: value).map { .invalidInput(field: field, reason: $0) }
    }
}
