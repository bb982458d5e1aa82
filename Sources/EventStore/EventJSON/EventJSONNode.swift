/// One JSON value of a scanned document. The scanner lays a document out as a flat array of
/// these in document order (an object's members as key, value, key, value, ...), so decoding
/// walks indices instead of building a tree of dictionaries, and turns bytes into numbers and
/// strings only for the values a `Decodable` actually asks for.
struct EventJSONNode {
    enum Kind: UInt8 {
        case null, falseValue, trueValue, number, string, array, object
    }

    var kind: Kind
    /// Strings: `hasEscapes`. Numbers: `notInteger` (a fraction or an exponent).
    var flags: UInt8
    /// Scalars: offset of the first byte (for strings, after the opening quote).
    /// Containers: the number of elements (of key/value pairs, for objects).
    var start: Int32
    /// Scalars: offset just past the last byte (for strings, of the closing quote).
    /// Containers: index of the node after the container's last descendant.
    var end: Int32

    static let hasEscapes: UInt8 = 1
    static let notInteger: UInt8 = 1

    /// How error messages name what was found, in Foundation's words.
    var kindDescription: String {
        switch kind {
        case .null: "null"
        case .falseValue, .trueValue: "bool"
        case .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}
