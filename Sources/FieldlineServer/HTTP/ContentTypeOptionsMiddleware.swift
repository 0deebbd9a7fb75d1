import HTTPTypes
import Hummingbird

/// `X-Content-Type-Options: nosniff` on every response, so a browser never reads a JSON body
/// (which may echo what a caller sent) as HTML or script.
struct ContentTypeOptionsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Adds the header to whatever the rest of the chain answered.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}

extension HTTPField.Name {
    /// `X-Content-Type-Options`.
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
