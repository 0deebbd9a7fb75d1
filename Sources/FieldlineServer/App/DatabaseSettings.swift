import Foundation
import Logging
import PostgresNIO

/// Connection settings parsed from a `postgres://user:password@host:port/database` URL.
public struct DatabaseSettings: Sendable, Equatable {
    /// Server host name or address.
    public var host: String
    /// Server port.
    public var port: Int
    /// Role to connect as.
    public var username: String
    /// Its password, if any.
    public var password: String?
    /// Database name.
    public var database: String
    /// Whether TLS is required (`?sslmode=require`).
    public var requireTLS: Bool

    /// Parses a URL, naming `variable` in any error.
    public init(url raw: String, variable: String = "DATABASE_URL") throws {
        guard let components = URLComponents(string: raw),
              let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
              let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty
        else {
            throw ConfigError(variable: variable, problem: "must look like postgres://user:password@host:5432/database")
        }
        let name = String(components.path.drop(while: { $0 == "/" }))
        guard !name.isEmpty else {
            throw ConfigError(variable: variable, problem: "names no database (postgres://user:password@host:5432/database)")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = name
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(sslmode ?? "")
    }

    /// The same settings for another database on the same server.
    public func with(database: String) -> DatabaseSettings {
        var copy = self
        copy.database = database
        return copy
    }

    /// A PostgresNIO client configuration.
    func clientConfiguration(poolSize: Int) -> PostgresClient.Configuration {
        var config = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        config.options.maximumConnections = poolSize
        return config
    }
}
