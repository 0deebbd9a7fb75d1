import Hummingbird

/// `GET /`: what this server is and where to read on, so a person who opens the base URL
/// finds the API document instead of a bare 404.
struct HomeController: Sendable {
    /// The answer: the service's name and links.
    struct Home: ResponseEncodable {
        let name: String
        let description: String
        let links: [String: String]
    }

    static let home = Home(
        name: "Fieldline",
        description: "Multi-tenant messaging backend for the extended supply chain. JSON API under /v1.",
        links: [
            "openapi": "/openapi.yaml",
            "health": "/health",
            "ready": "/ready",
            "sandbox": "/sandbox",
            "docs": "README.md and docs/ in the source repository (start with docs/architecture.md)",
        ])

    /// Adds `GET /`.
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, _ in Self.home }
    }
}
