import Foundation

/// Rules of the organization tree. Each organization stores its `path`: the ids from the root
/// down to itself.
public enum Hierarchy {
    /// The deepest tree we accept; deep enough for insurer → agency → provider → … chains.
    public static let maxDepth = 32

    /// The path of a new child under a parent with `parentPath` (or a root when nil).
    public static func path(for id: UUID, under parentPath: [UUID]?) throws -> [UUID] {
        let path = (parentPath ?? []) + [id]
        guard path.count <= maxDepth else {
            throw ValidationError(
                field: "parent_id", code: "hierarchy_too_deep",
                message: "the organization tree may be at most \(maxDepth) levels deep")
        }
        return path
    }

    /// Checks that moving `id` under a parent whose path is `newParentPath` keeps the tree a tree,
    /// and that the deepest descendant (`subtreeHeight` levels below `id`) stays within bounds.
    public static func validateMove(id: UUID, newParentPath: [UUID]?, subtreeHeight: Int) throws {
        guard let newParentPath else { return }
        if newParentPath.contains(id) {
            throw ValidationError(
                field: "parent_id", code: "hierarchy_cycle",
                message: "an organization cannot be moved under itself or one of its descendants")
        }
        guard newParentPath.count + 1 + subtreeHeight <= maxDepth else {
            throw ValidationError(
                field: "parent_id", code: "hierarchy_too_deep",
                message: "the organization tree may be at most \(maxDepth) levels deep")
        }
    }

    /// The path of a descendant after its ancestor `movedID` was moved under `newParentPath`.
    public static func rebase(path: [UUID], movedID: UUID, newParentPath: [UUID]?) -> [UUID] {
        guard let index = path.firstIndex(of: movedID) else { return path }
        return (newParentPath ?? []) + path[index...]
    }
}
