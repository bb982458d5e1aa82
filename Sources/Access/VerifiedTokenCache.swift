import Foundation
import Synchronization

/// Tokens whose signature and claims already verified, with the principal they speak for, so
/// a client sending the same bearer token on every request pays for one signature check (an
/// ECDSA or RSA verification, the dearest step) per token rather than per request.
///
/// Keyed by the whole token text: a hit needs an exact match of header, claims and signature,
/// so nothing can be forged into a hit (a digest would do the same in less memory, but Access
/// has no hash library of its own). Only successes are kept: a forged or expired token is
/// checked in full every time. A hit is served only while the token's own `exp`/`nbf` (with
/// the verifier's leeway) allow it and for at most `lifetime` after it verified, so a key the
/// issuer withdraws stops being trusted within that time. Bounded to `capacity` tokens.
final class VerifiedTokenCache: Sendable {
    struct Entry: Sendable {
        let principal: Principal
        /// Seconds since 1970: the token is good from `validFrom` to `validUntil` (leeway
        /// included), and the entry is kept until `keptUntil` at most.
        let validFrom: Double
        let validUntil: Double
        let keptUntil: Double
    }

    let capacity: Int
    let lifetime: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int, lifetime: Duration) {
        self.capacity = max(0, capacity)
        self.lifetime = lifetime
    }

    /// The principal of `token` when it verified before and is still within its times.
    func principal(for token: String, now: Date) -> Principal? {
        guard capacity > 0 else { return nil }
        let seconds = now.timeIntervalSince1970
        return entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard seconds >= entry.validFrom, seconds <= entry.validUntil, seconds <= entry.keptUntil else {
                // Out of its time: verified again in full, which gives the precise error.
                entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Remembers a token that just verified at `now`, good from `nbf` to `exp` give or take
    /// `leeway` (seconds since 1970; a token without `nbf` is good from any time).
    func store(_ token: String, principal: Principal, exp: Double, nbf: Double?, leeway: Double, now: Date) {
        guard capacity > 0 else { return }
        let seconds = now.timeIntervalSince1970
        let entry = Entry(principal: principal, validFrom: (nbf ?? -Double.infinity) - leeway, validUntil: exp + leeway,
                          keptUntil: seconds + lifetime.secondsAsDouble)
        entries.withLock { entries in
            if entries.count >= capacity, entries[token] == nil {
                // Full: drop what can no longer be served, then, if still above nine tenths,
                // arbitrary entries down to nine tenths (a dictionary's order is its hash order,
                // random per process). The room made lasts a tenth of the capacity of inserts,
                // so the sweep is not paid on every insert, and most clients keep their entry
                // (a miss costs one full verification).
                entries = entries.filter { seconds <= $0.value.validUntil && seconds <= $0.value.keptUntil }
                let target = capacity - max(1, capacity / 10)
                if entries.count > target {
                    for key in Array(entries.keys.prefix(entries.count - target)) { entries[key] = nil }
                }
            }
            entries[token] = entry
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
