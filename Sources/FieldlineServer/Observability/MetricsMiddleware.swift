import Foundation
import Hummingbird
import Prometheus

/// Counts requests and measures latency by method, route template and status, into the app's
/// own Prometheus registry (no global bootstrap, so every test app has clean figures).
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    /// `http_requests_total`.
    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_requests", unitName: "total", helpText: "HTTP requests by method, route template and status")
    }
    /// `http_request_duration_seconds`.
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency by method and route template")
    }

    static var buckets: [Duration] {
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5].map { .milliseconds(Int64($0 * 1000 * 1000) / 1000) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let labels = [
            ("method", request.method.rawValue),
            ("route", context.endpointPath ?? "unmatched"),
            ("status", String(response.status.code)),
        ]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: Self.duration, labels: Array(labels.prefix(2)), buckets: Self.buckets
        ).record(ContinuousClock.now - start)
        return response
    }
}
