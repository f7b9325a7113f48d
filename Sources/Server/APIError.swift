public import AtlasCore
public import Hummingbird
import Foundation
import NIOCore

/// The one place errors become HTTP responses: `{"error": {"code", "message"}}` with the status the code
/// implies. Anything that is neither an `APIError` nor an `AtlasError` is a bare 500 whose details stay in the log.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var retryAfterSeconds: Int?

    public init(status: HTTPResponse.Status, code: String, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public init(_ error: AtlasError, retryAfterSeconds: Int? = nil) {
        self.init(
            status: Self.status(for: error.code), code: error.code.rawValue, message: error.message,
            retryAfterSeconds: error.code == .busy ? retryAfterSeconds : nil)
    }

    /// Whatever was thrown, as the client will see it.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as AtlasError: return APIError(e)
        case let e as HTTPError:
            let code = switch e.status {
            case .contentTooLarge: "too_large"
            case .notFound: "no_route"
            case .methodNotAllowed: "method_not_allowed"
            default: "http"
            }
            return APIError(status: e.status, code: code, message: e.body ?? e.status.reasonPhrase)
        case is NIOTooManyBytesError:
            return APIError(status: .contentTooLarge, code: "too_large", message: "the request body is larger than the server accepts")
        default:
            return APIError(status: .internalServerError, code: AtlasError.Code.internal.rawValue, message: "internal error")
        }
    }

    static func status(for code: AtlasError.Code) -> HTTPResponse.Status {
        switch code {
        case .badInput, .atlasFormat: .badRequest
        case .notFound: .notFound
        case .unsupportedImage, .corruptImage: .unsupportedMediaType
        case .imageTooLarge: .contentTooLarge
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .busy: .serviceUnavailable
        case .timeout: .gatewayTimeout
        case .decoder: .badGateway
        case .storage, .encoder, .internal: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfterSeconds {
            headers[.retryAfter] = String(retryAfterSeconds)
        } else if status == .serviceUnavailable {
            headers[.retryAfter] = "1"
        }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"atlasqa\"" }
        let body = JSONBody.data(["error": ["code": code, "message": message]])
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
