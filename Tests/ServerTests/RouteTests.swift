import Foundation
import Illustration
import NIOHTTP1
import Testing
@testable import Server

/// Every route through a real socket, with a keyless loopback server (anonymous local use).
@Suite(.serialized) struct RouteTests {
    @Test func healthMetricsOpenAPIAndThePage() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }

        let health = try await server.get("/health")
        #expect(health.status == 200)
        let counts = try #require(try health.json()["counts"] as? [String: Any])
        #expect(counts["entries"] as? Int == TestAtlas.morphologies.count)
        #expect(counts["images"] as? Int == TestAtlas.morphologies.count * 2)

        _ = try await server.postJSON("/v1/retrieve", ["question": "nuclei"])
        let metrics = try await server.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
        #expect(metrics.text.contains(#"atlasqa_http_requests_total{method="POST",route="/v1/retrieve",status="200"} 1"#))
        #expect(metrics.text.contains(#"atlasqa_stage_duration_seconds_count{stage="retrieve"} 1"#))
        #expect(metrics.text.contains("atlasqa_queue_depth 0"))
        #expect(metrics.text.contains(#"atlasqa_index_items{kind="entries"} 3"#))
        let rss = try #require(metrics.text.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") })
        #expect((Int(rss.split(separator: " ")[1]) ?? 0) > 1_000_000)

        let page = try await server.get("/")
        #expect(page.status == 200)
        #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.text.contains("/assets/app.js") && page.text.contains("<textarea id=\"question\""))
        // Nothing from other origins: every src/href is site-relative.
        #expect(!page.text.contains("http://") && !page.text.contains("https://"))
        let csp = try #require(page.headers.first(name: "Content-Security-Policy"))
        #expect(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"))
        #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
        for asset in ["/assets/app.js", "/assets/app.css"] {
            let reply = try await server.get(asset)
            #expect(reply.status == 200 && reply.body.count > 1000, "\(asset)")
            #expect(!reply.text.contains("https://") && !reply.text.contains("http://"), "\(asset) must not load anything from outside")
        }
    }

    @Test func theOpenAPIDocumentListsEveryRouteAndEveryListedRouteExists() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let reply = try await server.get("/openapi.json")
        #expect(reply.status == 200)
        let doc = try reply.json()
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let served: [(String, String)] = [
            ("post", "/v1/ask"), ("post", "/v1/retrieve"), ("get", "/v1/entries/{id}"), ("get", "/v1/entries/{id}/images/{file}"),
            ("get", "/v1/conversations/{id}"), ("post", "/v1/chat/completions"), ("get", "/v1/models"), ("get", "/v1/keys"),
            ("get", "/v1/audit"), ("post", "/v1/ingest"), ("get", "/v1/jobs"), ("get", "/v1/jobs/{id}"), ("get", "/health"), ("get", "/metrics"), ("get", "/openapi.json"), ("get", "/"),
            ("get", "/assets/app.js"), ("get", "/assets/app.css"),
        ]
        for (method, path) in served {
            #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is missing from openapi.json")
        }
        // And the other way: each documented operation is routed (no route answers 404 with code "no_route").
        for (path, operations) in paths {
            let concrete = path.replacingOccurrences(of: "{id}", with: "breast-dcis").replacingOccurrences(of: "{file}", with: "field.png")
            for method in operations.keys {
                let reply = try await server.request(method == "post" ? .POST : .GET, concrete, body: Data("{}".utf8), contentType: "application/json")
                let noRoute = reply.status == 405 || (reply.status == 404 && (try? reply.error().code) == "no_route")
                #expect(!noRoute, "\(method.uppercased()) \(path) is documented but not routed (\(reply.status))")
            }
        }
    }

    @Test func retrieveAndAskWithJSONAndMultipart() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let png = try TestAtlas.queryPNG(.breastDCIS)

        // JSON with a data URL, then with bare base64.
        let retrieved = try await server.postJSON("/v1/retrieve", ["image": "data:image/png;base64," + png.base64EncodedString(), "k": 4])
        #expect(retrieved.status == 200, "\(retrieved.text)")
        let refs = try #require(try retrieved.json()["references"] as? [[String: Any]])
        #expect(refs.count == 4)
        #expect(refs.first?["entry"] as? String == "breast-dcis")
        let scores = try #require(refs.first?["scores"] as? [String: Any])
        #expect((scores["image"] as? Double ?? 0) > 0.5)
        #expect(try retrieved.json()["support"] is String && retrieved.json()["timings_ms"] is [String: Any])

        let asked = try await server.postJSON("/v1/ask", ["question": "What are the microscopic features?", "image": png.base64EncodedString()])
        #expect(asked.status == 200, "\(asked.text)")
        let answer = try asked.json()
        let text = try #require(answer["answer"] as? String)
        let citations = try #require(answer["citations"] as? [[String: Any]])
        #expect(!citations.isEmpty && text.contains("[1]"))
        #expect((answer["references"] as? [[String: Any]])?.first?["entry"] as? String == "breast-dcis")
        #expect((answer["decoder"] as? [String: Any])?["kind"] as? String == "extractive")
        #expect(answer["conversation"] is String)

        // Multipart, as the web page sends it.
        let (body, type) = TestServer.multipart(fields: [("question", "fat cells"), ("k", "3")], image: ("field.png", try TestAtlas.queryPNG(.adipose), "image/png"))
        let multi = try await server.request(.POST, "/v1/ask", body: body, contentType: type)
        #expect(multi.status == 200, "\(multi.text)")
        let multiRefs = try #require(try multi.json()["references"] as? [[String: Any]])
        #expect(multiRefs.count == 3 && multiRefs.first?["entry"] as? String == "tissue-adipose")
        let (rbody, rtype) = TestServer.multipart(fields: [("question", "脂肪细胞")], image: nil)
        let multiRetrieve = try await server.request(.POST, "/v1/retrieve", body: rbody, contentType: rtype)
        #expect(multiRetrieve.status == 200)
        #expect((try multiRetrieve.json()["references"] as? [[String: Any]])?.first?["entry"] as? String == "tissue-adipose")
        #expect(try multiRetrieve.json()["language"] as? String == "zh")
    }

    @Test func streamingAnswerSendsReferencesDeltasThenDone() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let png = try TestAtlas.queryPNG(.colonAdenocarcinoma)
        let reply = try await server.postJSON("/v1/ask", ["question": "What features are seen?", "image": png.base64EncodedString(), "stream": true])
        #expect(reply.status == 200)
        #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
        let events = TestServer.events(reply.text)
        #expect(events.first?.name == "references")
        #expect(events.last?.name == "done")
        let deltas = events.filter { $0.name == "delta" }
        #expect(deltas.count >= 2, "the answer should arrive in pieces")
        let joined = try deltas.map { try #require(try jsonObject($0.data)["text"] as? String) }.joined()
        let done = try jsonObject(try #require(events.last).data)
        #expect(joined == done["answer"] as? String)
        let firstRefs = try #require(try jsonObject(events[0].data)["references"] as? [[String: Any]])
        #expect(firstRefs.first?["entry"] as? String == "colon-adenocarcinoma")
        #expect((done["references"] as? [[String: Any]])?.count == firstRefs.count)
    }

    @Test func entriesImagesAndConversations() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let entry = try await server.get("/v1/entries/breast-dcis")
        #expect(entry.status == 200)
        #expect(try entry.json()["title"] as? String == "Ductal carcinoma in situ (breast)" || (try entry.json()["title"] as? String)?.isEmpty == false)
        #expect((try entry.json()["passages"] as? [Any])?.count == 2)

        let image = try await server.get("/v1/entries/breast-dcis/images/field.png")
        #expect(image.status == 200 && image.headers.first(name: "Content-Type") == "image/png")
        #expect(image.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let nested = try await server.get("/v1/entries/breast-dcis/images/sub/detail.png")
        #expect(nested.status == 200 && nested.body.starts(with: [0x89, 0x50]))
        for path in ["/v1/entries/breast-dcis/images/nope.png", "/v1/entries/breast-dcis/images/..%2F..%2Fetc%2Fpasswd",
                     "/v1/entries/breast-dcis/images/../../entry.md", "/v1/entries/nope/images/field.png"] {
            let missing = try await server.get(path)
            #expect(missing.status == 404, "\(path)")
        }

        // A follow-up continues the conversation; the conversation route shows both turns.
        let first = try await server.postJSON("/v1/ask", ["question": "What are the features of ductal carcinoma in situ?"])
        let id = try #require(try first.json()["conversation"] as? String)
        let second = try await server.postJSON("/v1/ask", ["question": "And in Chinese? 镜下特点", "conversation": id])
        #expect(second.status == 200)
        #expect(try second.json()["conversation"] as? String == id)
        let conversation = try await server.get("/v1/conversations/\(id)")
        #expect(conversation.status == 200)
        let turns = try #require(try conversation.json()["turns"] as? [[String: Any]])
        #expect(turns.count == 2 && turns[1]["question"] as? String == "And in Chinese? 镜下特点")
        let unknown = try await server.postJSON("/v1/ask", ["question": "x", "conversation": "no-such-conversation"])
        #expect(unknown.status == 404)
        #expect(try await server.get("/v1/conversations/no-such-conversation").status == 404)
    }

    @Test func chatCompletionsPlainAndStreamed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let png = try TestAtlas.queryPNG(.breastDCIS)
        let messages: [[String: Any]] = [
            ["role": "system", "content": "You are helpful."],
            ["role": "user", "content": [
                ["type": "text", "text": "What are the microscopic features?"],
                ["type": "image_url", "image_url": ["url": "data:image/png;base64," + png.base64EncodedString()]],
            ]],
        ]
        let plain = try await server.postJSON("/v1/chat/completions", ["model": "atlasqa", "messages": messages])
        #expect(plain.status == 200, "\(plain.text)")
        let completion = try plain.json()
        #expect(completion["object"] as? String == "chat.completion")
        let choice = try #require((completion["choices"] as? [[String: Any]])?.first)
        let content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
        #expect(content.contains("[1]"))
        #expect((completion["references"] as? [[String: Any]])?.first?["entry"] as? String == "breast-dcis")

        let streamed = try await server.postJSON("/v1/chat/completions", ["model": "atlasqa", "messages": messages, "stream": true])
        #expect(streamed.status == 200)
        let events = TestServer.events(streamed.text)
        #expect(events.last?.data == "[DONE]")
        var text = ""
        var references: [[String: Any]]?
        for event in events.dropLast() {
            let chunk = try jsonObject(event.data)
            #expect(chunk["object"] as? String == "chat.completion.chunk")
            let delta = try #require((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
            text += delta["content"] as? String ?? ""
            if let r = chunk["references"] as? [[String: Any]] { references = r }
        }
        #expect(text == content)
        #expect(references?.first?["entry"] as? String == "breast-dcis")

        let models = try await server.get("/v1/models")
        #expect((try models.json()["data"] as? [[String: Any]])?.first?["id"] as? String == "atlasqa")
    }
}
