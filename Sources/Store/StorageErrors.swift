import AtlasCore
import GRDB

/// Runs `body`, turning SQLite failures into `AtlasError(.storage, "… — while <doing>")`.
/// AtlasErrors thrown inside (our own checks) pass through unchanged.
func whileDoing<T>(_ doing: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AtlasError {
        throw error
    } catch let error as DatabaseError {
        throw AtlasError(.storage, "\(describe(error)) — while \(doing())")
    } catch {
        throw AtlasError(.storage, "\(error) — while \(doing())")
    }
}

/// "SQLite error 19: UNIQUE constraint failed: passages.id" (no SQL, no arguments: they may hold user text).
func describe(_ error: DatabaseError) -> String {
    "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "\(error.resultCode)")"
}
