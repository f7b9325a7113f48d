import Hummingbird

/// `GET /` and its script and style, embedded in the binary: no CDN, no outside fonts or scripts.
struct WebPageRoutes: Sendable {
    func register(on router: Router<AtlasRequestContext>) {
        router.get("/") { _, _ in JSONBody.text(WebPage.html, contentType: "text/html; charset=utf-8") }
        router.get("assets/app.js") { _, _ in JSONBody.text(WebPage.script, contentType: "text/javascript; charset=utf-8") }
        router.get("assets/app.css") { _, _ in JSONBody.text(WebPage.style, contentType: "text/css; charset=utf-8") }
    }
}
