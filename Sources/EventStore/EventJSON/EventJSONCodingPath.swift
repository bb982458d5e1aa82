/// A coding path as a linked list: descending into a nested value costs one small box instead
/// of copying an array, and the `[any CodingKey]` the protocols want is built only when asked
/// for (mostly for error messages).
indirect enum EventJSONCodingPath {
    case root
    case key(any CodingKey, EventJSONCodingPath)

    func appending(_ key: any CodingKey) -> EventJSONCodingPath { .key(key, self) }

    var keys: [any CodingKey] {
        var reversed: [any CodingKey] = []
        var node = self
        while case .key(let key, let parent) = node {
            reversed.append(key)
            node = parent
        }
        return reversed.reversed()
    }
}

/// The keys the coders make up themselves: array positions ("Index 3", as Foundation names
/// them) and the `super` key of `superEncoder()` / `superDecoder()`.
struct EventJSONKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }

    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    static let superKey = EventJSONKey(stringValue: "super")
}
