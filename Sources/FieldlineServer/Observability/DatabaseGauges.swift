import Foundation
import Logging
import PostgresNIO
import Prometheus

/// Database figures an operator watches, read fresh on every `/metrics` scrape (one short query):
/// the age of the oldest open transaction (one left open holds back vacuum and every snapshot
/// after it) and the outbox's backlog. An unreachable database leaves them at -1.
struct DatabaseGauges: Sendable {
    let database: Database
    let registry: PrometheusCollectorRegistry

    /// Reads the figures into the registry; never throws (the scrape still answers).
    func update(logger: Logger) async {
        let oldest = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "fieldline", metricName: "database_oldest_transaction", unitName: "seconds",
            helpText: "Age of the oldest open transaction on the database (any session this role may see), 0 when none"))
        let due = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "fieldline", metricName: "outbox", unitName: "due", helpText: "Outbox rows due now and not done nor dead (all tenants)"))
        let waited = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "fieldline", metricName: "outbox_oldest_due", unitName: "seconds",
            helpText: "How long the oldest due outbox row has been due, 0 when none"))
        do {
            let figures = try await withTimeout(.seconds(2)) { [database] in
                try await database.client.query("""
                    SELECT
                        (SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8 FROM pg_stat_activity
                         WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL),
                        count(*)::float8,
                        coalesce(extract(epoch FROM clock_timestamp() - min(available_at)), 0)::float8
                    FROM outbox WHERE done_at IS NULL AND dead_at IS NULL AND available_at <= now()
                    """, logger: logger
                ).collect { try $0.decode((Double, Double, Double).self) }.first
            }
            oldest.set(figures?.0 ?? 0)
            due.set(figures?.1 ?? 0)
            waited.set(max(0, figures?.2 ?? 0))
        } catch {
            for gauge in [oldest, due, waited] { gauge.set(-1.0) }
        }
    }
}
