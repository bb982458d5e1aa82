/// A command as idempotency sees it: the key its sender chose and a digest of what it asks
/// for. The same key with the same body is a retry (answered with the first result); the same
/// key with a different body is a mistake the sender must hear about, never a silent "done".
///
/// The digest travels inside the key the event store turns into event ids
/// (`<key>#<digest>/<index>` as `Nats-Msg-Id`), so it is stored with the events and read back
/// after a restart without another header, and a retry with the same body is still the same
/// message id to JetStream's duplicate window.
public struct CommandFingerprint: Sendable, Hashable {
    public let idempotencyKey: String
    /// 32 hex digits; nil for events stored before digests were recorded.
    public let bodyDigest: String?

    public init(idempotencyKey: String, bodyDigest: String?) {
        self.idempotencyKey = idempotencyKey
        self.bodyDigest = bodyDigest
    }

    /// `canonicalBody` must not depend on how the sender wrote it (key order, spaces, date
    /// spelling): encode the *decoded* command with sorted keys. `name` keeps two different
    /// commands with the same body apart.
    public init(idempotencyKey: String, name: String, canonicalBody: [UInt8]) {
        self.init(idempotencyKey: idempotencyKey, bodyDigest: Self.digest(Array(name.utf8) + [0x0A] + canonicalBody))
    }

    static let separator: Character = "#"
    static let digestLength = 32

    /// What the event store gets as the idempotency key.
    public var storeKey: String {
        bodyDigest.map { "\(idempotencyKey)\(Self.separator)\($0)" } ?? idempotencyKey
    }

    /// Splits a store key (an event id without its `/<index>`) into key and digest; a key
    /// without a well-formed digest suffix is taken whole, with no digest.
    public init(storeKey: String) {
        let utf8 = storeKey.utf8
        if utf8.count > Self.digestLength + 1 {
            let digestStart = storeKey.index(storeKey.endIndex, offsetBy: -Self.digestLength)
            let separatorIndex = storeKey.index(before: digestStart)
            let digest = storeKey[digestStart...]
            if storeKey[separatorIndex] == Self.separator, digest.utf8.allSatisfy(Self.isLowerHex) {
                self.init(idempotencyKey: String(storeKey[..<separatorIndex]), bodyDigest: String(digest))
                return
            }
        }
        self.init(idempotencyKey: storeKey, bodyDigest: nil)
    }

    /// True when `other` (remembered for the same key) asked for something else. An unknown
    /// digest on either side is given the benefit of the doubt: the old behaviour, a retry.
    public func differs(from other: CommandFingerprint) -> Bool {
        guard let mine = bodyDigest, let theirs = other.bodyDigest else { return false }
        return mine != theirs
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    /// 128 bits from two FNV-1a 64 hashes with different offsets, as hex. Not cryptographic: it
    /// tells a sender's accidental key reuse from a retry, and keys are scoped to their sender,
    /// so there is no one to forge a collision against. Stable across processes and releases.
    public static func digest(_ bytes: [UInt8]) -> String {
        func fnv1a(_ offset: UInt64) -> UInt64 {
            var hash = offset
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(fnv1a(0xcbf2_9ce4_8422_2325)) + hex(fnv1a(0x8422_2325_cbf2_9ce4))
    }
}

/// What an aggregate remembers of a command arriving again.
public enum EarlierCommand: Sendable, Equatable {
    /// Not seen (or forgotten): decide it.
    case none
    /// A retry: answer with where its events landed the first time.
    case sameBody(sequences: [UInt64])
    /// The key was used for something else: refuse.
    case differentBody
}

extension CommandReply {
    /// The rejection for a key that was already used for a different command.
    public static var idempotencyKeyReused: CommandReply {
        .rejected(code: idempotencyKeyReusedCode,
                  message: "This idempotency key was already used for a different request. "
                      + "Send the same request to retry it, or use a new key for a new request.",
                  field: "idempotencyKey")
    }

    public static let idempotencyKeyReusedCode = "idempotency_key_reused"
}
