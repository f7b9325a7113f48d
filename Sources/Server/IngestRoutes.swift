import AtlasCore
import Foundation
import Hummingbird
import NIOCore
import Store

/// `POST /v1/ingest` (curators): an atlas as JSON Lines or a tar/tar.gz archive, unpacked and checked
/// before the reply, then ingested by a background job — 202 with the job and its `Location`.
/// `GET /v1/jobs/{id}` and `GET /v1/jobs`: state, progress, summary and errors of one's own jobs.
struct IngestRoutes: Sendable {
    let services: AtlasServices

    func register(on router: RouterGroup<AtlasRequestContext>) {
        router.post("ingest") { request, context in try await submit(request, context: context) }
        router.get("jobs/{id}") { _, context in
            let caller = try context.requireCaller(.curator)
            let id = try context.parameters.require("id")
            guard let job = services.ingestJobs.job(id, for: caller) else {
                throw AtlasError(.notFound, "job '\(id.prefix(80))' not found (jobs are kept in memory until the server restarts)")
            }
            return JSONBody.response(job)
        }
        router.get("jobs") { _, context in
            let caller = try context.requireCaller(.curator)
            return JSONBody.response(["jobs": services.ingestJobs.jobs(for: caller)])
        }
    }

    func submit(_ request: Request, context: AtlasRequestContext) async throws -> Response {
        let caller = try context.requireCaller(.curator)
        guard services.ingestJobs.ingestor != nil else {
            throw APIError(status: .notImplemented, code: "not_configured", message: "this server was started without an ingester; use `atlasqa ingest`")
        }
        let settings = services.settings
        let started = ContinuousClock.now
        let strictParam = request.uri.queryParameters.get("strict")?.lowercased()
        let strict = strictParam == "true" || strictParam == "1"
        do {
            let body = try await collectBody(request, limit: settings.maxIngestBytes)
            let contentType = request.headers[.contentType]
            let limits = IngestUpload.Limits(maxUnpackedBytes: settings.maxUnpackedIngestBytes)
            // Unpacking is file and CPU work: off the cooperative pool.
            let upload = try await offThePool { try IngestUpload.receive(body: body, contentType: contentType, limits: limits) }
            let job = try services.ingestJobs.submit(upload, strict: strict, caller: caller)
            await AuditTrail(store: services.store).write(
                route: "/v1/ingest", caller: caller,
                question: "queued \(job.id): \(upload.name) (\(upload.bytes) bytes, sha256 \(upload.sha256), \(upload.format))",
                image: nil, outcome: .init(), status: 202, started: started)
            var response = JSONBody.response(job, status: .accepted)
            response.headers[.location] = "/v1/jobs/\(job.id)"
            return response
        } catch {
            let api = APIError.from(error)
            await AuditTrail(store: services.store).write(
                route: "/v1/ingest", caller: caller, question: "refused: \(api.message.prefix(300))", image: nil, outcome: .init(),
                status: Int(api.status.code), started: started)
            throw error
        }
    }
}
