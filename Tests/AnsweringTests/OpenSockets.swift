import Foundation

/// The TCP sockets a process holds open, read from /proc (Linux): its descriptors that are `socket:[inode]`
/// links, matched by inode to the kernel's connection tables. A leaked connection is a descriptor that
/// stays open after its request ended — typically in CLOSE_WAIT once the peer has gone.
enum OpenSockets {
    struct Connection: Hashable {
        var localPort: Int
        var remotePort: Int
        /// The kernel's state number: 01 ESTABLISHED, 06 TIME_WAIT, 08 CLOSE_WAIT, 0A LISTEN.
        var state: Int
        var isCloseWait: Bool { state == 0x08 }
    }

    /// Socket inodes of the process's open descriptors.
    static func inodes(pid: String = "self") -> Set<String> {
        let dir = "/proc/\(pid)/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var result = Set<String>()
        for name in names {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/\(name)"),
                target.hasPrefix("socket:[")
            else { continue }
            result.insert(String(target.dropFirst(8).dropLast()))
        }
        return result
    }

    /// How many socket descriptors (TCP, UDP, Unix) the process holds.
    static func count(pid: String = "self") -> Int { inodes(pid: pid).count }

    /// The process's TCP connections (IPv4 and IPv6), from its network namespace's tables.
    static func tcp(pid: String = "self") -> [Connection] {
        let owned = inodes(pid: pid)
        var result: [Connection] = []
        for table in ["tcp", "tcp6"] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/\(table)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, owned.contains(String(fields[9])),
                    let local = port(fields[1]), let remote = port(fields[2]), let state = Int(fields[3], radix: 16)
                else { continue }
                result.append(Connection(localPort: local, remotePort: remote, state: state))
            }
        }
        return result
    }

    /// Connections of the process to a server on `port` (the client side).
    static func connections(toPort port: Int, pid: String = "self") -> [Connection] {
        tcp(pid: pid).filter { $0.remotePort == port }
    }

    /// "0100007F:1F90" → 8080.
    private static func port(_ address: Substring) -> Int? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...], radix: 16)
    }

    /// Waits (up to `timeout`) until `condition` holds — a closed socket leaves the table a moment after close().
    static func settle(timeout: Duration = .seconds(3), _ condition: () -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
