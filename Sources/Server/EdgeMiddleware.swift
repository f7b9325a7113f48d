import Foundation
import Hummingbird
import Logging

/// The outermost layer: turns every thrown error into its JSON response (the one mapping, `APIError`),
/// adds the security headers to every response, and counts requests by route and status.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = AtlasRequestContext
    let metrics: ServerMetrics
    let retryAfterSeconds: Int

    func handle(
        _ request: Request, context: AtlasRequestContext,
        next: (Request, AtlasRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        metrics.requestStarted()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var apiError = APIError.from(error)
            var allow: [String]?
            if apiError.code == "no_route", let methods = AllowedMethods.methods(forPath: request.uri.path),
                !methods.contains(request.method.rawValue)
            {
                // A known path asked with a method it does not answer.
                allow = methods
                apiError = APIError(
                    status: .methodNotAllowed, code: "method_not_allowed",
                    message: "\(request.uri.path) answers \(methods.joined(separator: ", ")), not \(request.method.rawValue)")
            }
            if apiError.status == .serviceUnavailable, apiError.retryAfterSeconds == nil { apiError.retryAfterSeconds = retryAfterSeconds }
            if apiError.status.code >= 500 && apiError.status != .serviceUnavailable {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(String(describing: error))")
            }
            response = try apiError.response(from: request, context: context)
            if let allow { response.headers[.allow] = allow.joined(separator: ", ") }
        }
        SecurityHeaders.apply(to: &response.headers)
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.requestFinished(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: Int(response.status.code),
            seconds: seconds)
        return response
    }
}

/// Headers every response carries: nothing from other origins, no sniffing, no framing.
enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Referrer-Policy")!] = "no-referrer"
    }
}
